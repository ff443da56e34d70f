package p2psync.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Option(
      names = "--tracker",
      paramLabel = "H:P",
      description =
          "Another tracker (a node of the same cluster) to fail over to; repeatable, tried in order.")
  List<String> trackers;

  @Option(
      names = "--protocol",
      paramLabel = "1|2",
      description =
          "2: offer protocol v2 (verified transfers from many holders) to a tracker that speaks it;"
              + " 1: the seed protocol only (default).")
  Integer protocol;

  @Mixin ServiceOptions service;

  @Mixin HttpMixin http;

  @Override
  public Integer call() {
    ConsoleLogging.configure(service.verbose);
    JsonObject base =
        new JsonObject()
            .put("trackerHost", trackerHost)
            .put("trackerPort", trackerPort)
            .put("dir", dir.toString());
    if (trackers != null) {
      base.put("trackers", new JsonArray(new ArrayList<>(trackers)));
    }
    if (port != null) {
      base.put("port", port);
    }
    if (advertisedPort != null) {
      base.put("advertisedPort", advertisedPort);
    }
    if (protocol != null) {
      base.put("protocol", protocol);
    }
    http.addTo(base);
    return ServiceRunner.run(base, service.config, PeerVerticle::new);
  }
}
