package p2psync.launcher;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import p2psync.peer.PeerVerticle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code p2psync peer TRACKER_HOST TRACKER_PORT}, as the seed's {@code fileSynchronizer.py}. */
@Command(
    name = "peer",
    mixinStandardHelpOptions = true,
    description =
        "Synchronize a folder (the current one by default) through the tracker at HOST:PORT.")
final class PeerCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "HOST", description = "Tracker address.")
  String trackerHost;

  @Parameters(index = "1", paramLabel = "PORT", description = "Tracker port.")
  int trackerPort;

  @Option(
      names = {"-d", "--dir"},
      paramLabel = "DIR",
      description = "Folder to synchronize (default: the current folder).")
  Path dir = Path.of(".");

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "File server port (default: the first free one from firstPeerPort, 8000).")
  Integer port;

  @Option(
      names = "--advertised-port",
      paramLabel = "PORT",
      description = "Port to tell the tracker, when other peers reach this one through a proxy.")
  Integer advertisedPort;

  @Mixin ServiceOptions service;

  @Override
  public Integer call() {
    ConsoleLogging.configure(service.verbose);
    JsonObject base =
        new JsonObject()
            .put("trackerHost", trackerHost)
            .put("trackerPort", trackerPort)
            .put("dir", dir.toString());
    if (port != null) {
      base.put("port", port);
    }
    if (advertisedPort != null) {
      base.put("advertisedPort", advertisedPort);
    }
    return ServiceRunner.run(base, service.config, PeerVerticle::new);
  }
}
