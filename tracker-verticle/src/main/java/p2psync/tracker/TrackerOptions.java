package p2psync.tracker;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import p2psync.common.SyncConfig;
import p2psync.common.Validate;

/**
 * Where the tracker listens, and the shared timings. JSON keys: {@code host}, {@code port}, and
 * {@link SyncConfig}'s.
 */
public final class TrackerOptions {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9000;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private SyncConfig sync = new SyncConfig();

  public TrackerOptions() {}

  public TrackerOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setSync(new SyncConfig(json));
  }

  public JsonObject toJson() {
    return sync.toJson().put("host", host).put("port", port);
  }

  public String getHost() {
    return host;
  }

  public TrackerOptions setHost(String host) {
    this.host = Validate.notBlank("host", host);
    return this;
  }

  public int getPort() {
    return port;
  }

  /** 0 lets the operating system choose; see {@link TrackerVerticle#actualPort()}. */
  public TrackerOptions setPort(int port) {
    this.port = Validate.inRange("port", port, 0, 65_535);
    return this;
  }

  public SyncConfig getSync() {
    return sync;
  }

  public TrackerOptions setSync(SyncConfig sync) {
    this.sync = Objects.requireNonNull(sync, "sync");
    return this;
  }
}
