package p2psync.launcher;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import p2psync.tracker.TrackerVerticle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code p2psync tracker HOST PORT}, as the seed's {@code tracker.py HOST PORT}. */
@Command(name = "tracker", mixinStandardHelpOptions = true,
    description = "Run a tracker on HOST:PORT (as the seed's tracker.py).")
final class TrackerCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "HOST", description = "Address to listen on, e.g. 127.0.0.1 or 0.0.0.0.")
  String host;

  @Parameters(index = "1", paramLabel = "PORT", description = "Port to listen on (0: any free port).")
  int port;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON or YAML file with config keys (see README).")
  Path config;

  @Option(names = {"-v", "--verbose"}, description = "Also print debug lines.")
  boolean verbose;

  @Override
  public Integer call() {
    ConsoleLogging.configure(verbose);
    JsonObject base = new JsonObject().put("host", host).put("port", port);
    return ServiceRunner.run(base, config, TrackerVerticle::new);
  }
}
