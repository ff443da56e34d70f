package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
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
import p2psync.common.v2.V2Codec;

/**
 * A v2 peer tells a tracker that sends versioned lines only what changed in its folder (an
 * incremental advertisement), and anyone else its whole list, as before.
 */
@ExtendWith(VertxExtension.class)
class IncrementalAdvertisementTest {
  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void startPeer(Vertx vertx, int trackerPort) throws Exception {
    Files.writeString(folder.resolve("a.txt"), "some content\n");
    get(
        vertx.deployVerticle(
            new PeerVerticle(TestPeers.options(folder, trackerPort, 2, TestPeers.fastSync()))));
  }

  private static void awaitMessage(List<String> messages, String text) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> messages.stream().anyMatch(m -> m.contains(text)));
  }

  @Test
  void aDeltaTrackerIsToldOnlyWhatChanged(Vertx vertx) throws Exception {
    PlayedDeltaTracker tracker = new PlayedDeltaTracker();
    get(tracker.start(vertx));
    startPeer(vertx, tracker.trackerPort);
    awaitMessage(tracker.messages, "\"sha256\"");
    int before = tracker.messages.size();

    Files.writeString(folder.resolve("b.txt"), "more\n");
    awaitMessage(tracker.messages, "\"changed\": [{\"name\": \"b.txt\"");
    Files.delete(folder.resolve("a.txt"));
    awaitMessage(tracker.messages, "\"name\": \"a.txt\", \"mtime\"");
    List<String> all = List.copyOf(tracker.messages);
    List<String> after = all.subList(before, all.size());
    // never the whole list again: a.txt's entry only in the message that says it was deleted
    assertThat(after).noneMatch(m -> m.contains("\"files\""));
    assertThat(after)
        .filteredOn(m -> m.contains("\"a.txt\""))
        .allMatch(m -> m.contains("\"changed\": [{\"name\": \"a.txt\"") && m.contains("deleted"));
    assertThat(after)
        .filteredOn(m -> m.contains("\"b.txt\""))
        .allMatch(m -> m.startsWith("{\"port\": ") && m.contains("\"changed\""));
  }

  @Test
  void aTrackerWithoutVersionedLinesGetsWholeLists(Vertx vertx) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    NetServer v2 = get(V2NegotiationTest.tracker(vertx, "{" + V2Codec.LINE_MARK + "}", received));
    startPeer(vertx, v2.actualPort());
    awaitMessage(received, "\"sha256\"");
    Files.writeString(folder.resolve("b.txt"), "more\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                received.stream()
                    .anyMatch(m -> m.contains("\"files\"") && m.contains("\"b.txt\"")));
    assertThat(received).noneMatch(m -> m.contains("\"changed\"") || m.contains("\"removed\""));
  }
}
