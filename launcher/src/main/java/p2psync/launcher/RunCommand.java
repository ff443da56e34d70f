package p2psync.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import p2psync.peer.PeerVerticle;
import p2psync.tracker.TrackerVerticle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code p2psync run VERTICLE [-conf FILE|JSON]}, the Vert.x launcher's {@code run}, which Vert.x
 * 5's application launcher no longer has. Short names resolve to our verticles.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Deploy a verticle: TrackerVerticle, PeerVerticle, or a fully qualified class name.")
final class RunCommand implements Callable<Integer> {
  static final Map<String, Class<? extends Deployable>> SHORT_NAMES =
      Map.of(
          "TrackerVerticle", TrackerVerticle.class,
          "tracker", TrackerVerticle.class,
          "PeerVerticle", PeerVerticle.class,
          "peer", PeerVerticle.class);

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "VERTICLE",
      description = "TrackerVerticle, PeerVerticle or a class name.")
  String verticle;

  @Option(
      names = {"-conf", "--conf"},
      paramLabel = "FILE|JSON",
      description = "Deployment config: a JSON or YAML file, or inline JSON.")
  String conf;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also print debug lines.")
  boolean verbose;

  @Override
  public Integer call() {
    Class<? extends Deployable> type = resolve(verticle);
    JsonObject base = new JsonObject();
    Path file = null;
    if (conf != null && conf.strip().startsWith("{")) {
      try {
        base = new JsonObject(conf);
      } catch (DecodeException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "-conf is not valid JSON: " + e.getMessage());
      }
    } else if (conf != null) {
      file = Path.of(conf);
    }
    ConsoleLogging.configure(verbose);
    return ServiceRunner.run(base, file, () -> instantiate(type));
  }

  private Class<? extends Deployable> resolve(String name) {
    Class<? extends Deployable> known = SHORT_NAMES.get(name);
    if (known != null) {
      return known;
    }
    try {
      return Class.forName(name).asSubclass(Deployable.class);
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "unknown verticle " + name + " (try TrackerVerticle or PeerVerticle)");
    }
  }

  private static Deployable instantiate(Class<? extends Deployable> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot create " + type.getName() + ": " + e, e);
    }
  }
}
