package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * A change in the folder reaches the tracker within the watch delay, not at the next keepalive
 * (here an hour away): new, modified and deleted files, for seed and v2 peers alike; a seed peer's
 * messages stay seed messages.
 */
@ExtendWith(VertxExtension.class)
class LiveChangesTest {
  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static final Duration WATCH_DELAY = Duration.ofMillis(50);

  /** A peer of {@code folder} whose keepalive is an hour away: what it sends, the watcher sent. */
  private PeerVerticle startPeer(Vertx vertx, FakeTrackerAndSource tracker, int protocol)
      throws Exception {
    PeerVerticle peer =
        new PeerVerticle(
            TestPeers.options(
                folder,
                tracker.trackerPort,
                protocol,
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofHours(1))
                    .setWatchDelay(WATCH_DELAY)));
    get(vertx.deployVerticle(peer));
    return peer;
  }

  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {1, 2})
  void aLocalChangeIsAdvertisedAtOnce(int protocol, Vertx vertx) throws Exception {
    FakeTrackerAndSource tracker = new FakeTrackerAndSource();
    get(tracker.start(vertx));
    startPeer(vertx, tracker, protocol);
    await().atMost(Duration.ofSeconds(10)).until(() -> !tracker.messages.isEmpty());

    Path file = folder.resolve("new.txt");
    Files.writeString(file, "hello", StandardCharsets.UTF_8);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tracker.messages.stream().anyMatch(m -> m.contains("\"name\": \"new.txt\"")));

    Files.setLastModifiedTime(file, FileTime.fromMillis(1_600_000_000_000L));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                tracker.messages.stream()
                    .anyMatch(m -> m.contains("\"name\": \"new.txt\", \"mtime\": 1600000000")));

    // Some message after the deletion says the folder is empty. (Not necessarily the last one: a
    // v2 peer's sync state also changes with a deletion, and a rescan after it finds nothing new
    // and sends a KeepAlive.)
    int before = tracker.messages.size();
    Files.delete(file);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<String> all = List.copyOf(tracker.messages);
              assertThat(all.subList(before, all.size()))
                  .anyMatch(m -> m.contains("\"files\": []"));
            });

    // watching changes when a seed peer speaks, never what it says
    if (protocol == 1) {
      assertThat(tracker.messages)
          .allSatisfy(m -> assertThat(m).doesNotContain("\"v\"").doesNotContain("sha256"));
    }
  }
}
