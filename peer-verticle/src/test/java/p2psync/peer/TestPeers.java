package p2psync.peer;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import p2psync.common.SyncConfig;

/** Peers for tests: a folder served on loopback (a port the OS picks), talking to one tracker. */
final class TestPeers {
  private TestPeers() {}

  /** Timings for a peer under test: a keepalive every 100 ms, changes seen within 20 ms. */
  static SyncConfig fastSync() {
    return new SyncConfig()
        .setKeepAliveInterval(Duration.ofMillis(100))
        .setWatchDelay(Duration.ofMillis(20));
  }

  /** The options of such a peer. */
  static PeerOptions options(Path folder, int trackerPort, int protocol, SyncConfig sync) {
    return new PeerOptions()
        .setDir(folder)
        .setHost("127.0.0.1")
        .setPort(0)
        .setTrackerPort(trackerPort)
        .setProtocol(protocol)
        .setSync(sync);
  }

  /** Deploys such a peer; fails after 10 s. */
  static PeerVerticle start(
      Vertx vertx, Path folder, int trackerPort, int protocol, SyncConfig sync) throws Exception {
    PeerVerticle peer = new PeerVerticle(options(folder, trackerPort, protocol, sync));
    vertx.deployVerticle(peer).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return peer;
  }
}
