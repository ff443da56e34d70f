package p2psync.common;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Loads a deployment's configuration through vertx-config, lowest precedence first: the given JSON,
 * a JSON or YAML file, environment variables {@code P2PSYNC_KEEP_ALIVE_INTERVAL=2s}, system
 * properties {@code -Dp2psync.keepAliveInterval=2s}. All keys end up flat and camel-cased, as
 * {@link SyncConfig} and the verticles read them.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "P2PSYNC_";
  public static final String SYS_PREFIX = "p2psync.";

  private ConfigLoader() {}

  /** {@code file} may be null; {@code base} may be empty. */
  public static Future<JsonObject> load(Vertx vertx, JsonObject base, Path file) {
    ConfigRetrieverOptions explicit =
        new ConfigRetrieverOptions()
            .setIncludeDefaultStores(false)
            .addStore(new ConfigStoreOptions().setType("json").setConfig(base.copy()));
    if (file != null) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      String format = name.endsWith(".yaml") || name.endsWith(".yml") ? "yaml" : "json";
      explicit.addStore(
          new ConfigStoreOptions()
              .setType("file")
              .setFormat(format)
              .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
    }
    ConfigRetrieverOptions ambient =
        new ConfigRetrieverOptions()
            .setIncludeDefaultStores(false)
            .addStore(new ConfigStoreOptions().setType("env"))
            .addStore(new ConfigStoreOptions().setType("sys"));
    return retrieve(vertx, explicit)
        .compose(
            plain ->
                retrieve(vertx, ambient)
                    .map(overrides -> plain.mergeIn(prefixedOverrides(overrides))));
  }

  private static Future<JsonObject> retrieve(Vertx vertx, ConfigRetrieverOptions options) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().andThen(ar -> retriever.close());
  }

  /**
   * From all environment variables and system properties, only ours: prefixed environment
   * variables, then (overriding them) prefixed system properties, with the prefix taken off.
   */
  static JsonObject prefixedOverrides(JsonObject ambient) {
    JsonObject fromEnv = new JsonObject();
    JsonObject fromSys = new JsonObject();
    for (Map.Entry<String, Object> e : ambient) {
      String key = e.getKey();
      if (key.startsWith(ENV_PREFIX)) {
        fromEnv.put(camelCase(key.substring(ENV_PREFIX.length())), e.getValue());
      } else if (key.startsWith(SYS_PREFIX)) {
        fromSys.put(key.substring(SYS_PREFIX.length()), e.getValue());
      }
    }
    return fromEnv.mergeIn(fromSys);
  }

  /** {@code KEEP_ALIVE_INTERVAL} to {@code keepAliveInterval}. */
  static String camelCase(String envName) {
    StringBuilder out = new StringBuilder(envName.length());
    boolean upper = false;
    for (char c : envName.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c == '_') {
        upper = out.length() > 0;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }
}
