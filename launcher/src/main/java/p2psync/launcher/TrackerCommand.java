package p2psync.launcher;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import p2psync.tracker.TrackerVerticle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code p2psync tracker HOST PORT}, as the seed's {@code tracker.py HOST PORT}. */
@Command(
    name = "tracker",
    mixinStandardHelpOptions = true,
    description = "Run a tracker on HOST:PORT (as the seed's tracker.py).")
final class TrackerCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "HOST",
      description = "Address to listen on, e.g. 127.0.0.1 or 0.0.0.0.")
  String host;

  @Parameters(
      index = "1",
      paramLabel = "PORT",
      description = "Port to listen on (0: any free port).")
  int port;

  @Mixin ServiceOptions service;

  @Override
  public Integer call() {
    ConsoleLogging.configure(service.verbose);
    JsonObject base = new JsonObject().put("host", host).put("port", port);
    return ServiceRunner.run(base, service.config, TrackerVerticle::new);
  }
}
