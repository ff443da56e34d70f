package p2psync.conform;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import p2psync.common.SyncConfig;
import p2psync.peer.PeerOptions;
import p2psync.peer.PeerVerticle;
import p2psync.simulation.Blocking;

/**
 * Our peer as a program under test: {@code OurPeerMain HOST PORT [SYNC_JSON]}, run in its folder as
 * {@code fileSynchronizer.py HOST PORT}; {@code SYNC_JSON} shrinks {@link SyncConfig} timings for
 * the tests (e.g. {@code {"keepAliveInterval": "1s"}}). Runs until the kit stops it.
 */
public final class OurPeerMain {
  private OurPeerMain() {}

  public static void main(String[] args) {
    SyncConfig sync = args.length > 2 ? new SyncConfig(new JsonObject(args[2])) : new SyncConfig();
    PeerOptions options =
        new PeerOptions()
            .setDir(Path.of("."))
            .setTrackerHost(args[0])
            .setTrackerPort(Integer.parseInt(args[1]))
            .setSync(sync);
    Vertx vertx = Vertx.vertx();
    Blocking.await(vertx.deployVerticle(new PeerVerticle(options)), Duration.ofSeconds(30));
  }
}
