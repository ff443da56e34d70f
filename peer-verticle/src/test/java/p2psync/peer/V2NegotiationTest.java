package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Codec;

/**
 * A v2 peer offers v2 to any tracker but sends v2 fields only to one that answered with a v2 line:
 * a seed tracker sees the {@code "v"} key of the offer and never a size or a hash.
 */
@ExtendWith(VertxExtension.class)
class V2NegotiationTest {
  @TempDir Path folder;

  /** A tracker that answers every line with {@code reply} and keeps what it was sent. */
  static Future<NetServer> tracker(Vertx vertx, String reply, List<String> received) {
    return vertx
        .createNetServer()
        .connectHandler(
            socket ->
                RecordParser.newDelimited("\n", socket)
                    .handler(
                        line -> {
                          received.add(line.toString());
                          socket.write(reply + "\n");
                        }))
        .listen(0, "127.0.0.1");
  }

  PeerVerticle peer(Vertx vertx, int trackerPort) throws Exception {
    Files.writeString(folder.resolve("a.txt"), "some content\n");
    PeerVerticle peer =
        new PeerVerticle(
            TestPeers.options(
                folder,
                trackerPort,
                2,
                new SyncConfig().setKeepAliveInterval(Duration.ofMillis(100))));
    vertx.deployVerticle(peer).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return peer;
  }

  @Test
  void aSeedTrackerSeesTheOfferAndNeverAHash(Vertx vertx) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    NetServer seed = tracker(vertx, "{}", received).toCompletionStage().toCompletableFuture().get();
    peer(vertx, seed.actualPort());
    // Long enough for the file to be hashed and for many keepalives (and re-advertisements) after.
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 15);
    assertThat(received.get(0)).contains("\"v\": 2").contains("\"a.txt\"");
    assertThat(received).noneMatch(line -> line.contains("sha256") || line.contains("size"));
  }

  @Test
  void aV2TrackerGetsTheHashesOnceItAnsweredInV2(Vertx vertx) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    NetServer v2 =
        tracker(vertx, "{" + V2Codec.LINE_MARK + "}", received)
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    peer(vertx, v2.actualPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> received.stream().anyMatch(line -> line.contains("\"sha256\"")));
    assertThat(received.get(0)).doesNotContain("sha256");
  }
}
