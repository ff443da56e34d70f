package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
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

@ExtendWith(VertxExtension.class)
class TrackerFailoverTest {
  @TempDir Path folder;

  /** A tracker that answers {@code {}} and remembers every line and connection. */
  static final class RecordingTracker {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<NetSocket> sockets = new CopyOnWriteArrayList<>();
    NetServer server;

    Future<Integer> start(Vertx vertx) {
      return start(vertx, 0);
    }

    Future<Integer> start(Vertx vertx, int port) {
      server =
          vertx
              .createNetServer()
              .connectHandler(
                  socket -> {
                    sockets.add(socket);
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            line -> {
                              lines.add(line.toString());
                              socket.write("{}\n");
                            });
                  });
      return server.listen(port, "127.0.0.1").map(NetServer::actualPort);
    }

    /** As a dying node: no more connections, the open ones cut. */
    Future<Void> kill() {
      return server.close().onComplete(v -> sockets.forEach(NetSocket::close));
    }

    long inits() {
      return lines.stream().filter(l -> l.contains("\"files\"")).count();
    }
  }

  @Test
  void aPeerThatLosesItsTrackerMovesToTheNextAndSendsInitAgain(Vertx vertx) throws Exception {
    Files.writeString(folder.resolve("mine.txt"), "x");
    RecordingTracker first = new RecordingTracker();
    RecordingTracker second = new RecordingTracker();
    int firstPort = get(first.start(vertx));
    int secondPort = get(second.start(vertx));
    PeerVerticle peer =
        new PeerVerticle(
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerHost("127.0.0.1")
                .setTrackerPort(firstPort)
                .setTrackers(List.of("127.0.0.1:" + secondPort))
                .setSync(
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofMillis(100))
                        .setReconnectBackoffMin(Duration.ofMillis(50))
                        .setReconnectBackoffMax(Duration.ofMillis(200))));
    get(vertx.deployVerticle(peer));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> first.inits() >= 1 && first.lines.size() > 1);
    assertThat(second.lines).isEmpty(); // the main tracker first, the others only when it fails
    get(first.kill());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> second.inits() >= 1); // a v2 peer re-advertises once its hashes are known
    assertThat(second.lines.get(0)).contains("mine.txt");
    // after the last one, the first again: a node restarted on its address takes the peer back
    RecordingTracker restarted = new RecordingTracker();
    get(restarted.start(vertx, firstPort));
    get(second.kill());
    await().atMost(Duration.ofSeconds(10)).until(() -> restarted.inits() >= 1);
  }

  @Test
  void trackersAreReadAsAnArrayOrAListAndChecked() {
    PeerOptions fromArray =
        new PeerOptions(new JsonObject().put("trackers", new JsonArray().add("10.0.0.2:9000")));
    assertThat(fromArray.getTrackers()).containsExactly("10.0.0.2:9000");
    PeerOptions fromText =
        new PeerOptions(
            new JsonObject()
                .put("trackerHost", "10.0.0.1")
                .put("trackers", "10.0.0.2:9000, [::1]:9001"));
    assertThat(fromText.trackerAddresses())
        .extracting(a -> a.host() + " " + a.port())
        .containsExactly("10.0.0.1 9000", "10.0.0.2 9000", "::1 9001");
    assertThat(new PeerOptions(fromText.toJson()).getTrackers()).isEqualTo(fromText.getTrackers());
    for (String bad : new String[] {"nohost", ":9000", "h:0", "h:99999", "h:port", " :1"}) {
      assertThatThrownBy(() -> new PeerOptions().setTrackers(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trackers");
    }
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
