package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.SyncConfig;

/**
 * While its folder is watched, a peer's keepalives are bare KeepAlives (their cost does not grow
 * with the folder) and the whole folder is scanned only every {@code rescanInterval}; an unwatched
 * folder is scanned at every keepalive. Changes are advertised either way.
 */
@ExtendWith(VertxExtension.class)
class RescanTest {
  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "protocol {0}, watchDelay {1} ms")
  @CsvSource({"1, 20, true", "2, 20, true", "1, 0, false", "2, 0, false"})
  void keepAlivesScanTheFolderOnlyWhenItIsNotWatched(
      int protocol, long watchDelayMillis, boolean watched, Vertx vertx) throws Exception {
    Files.writeString(folder.resolve("a.txt"), "a");
    FakeTrackerAndSource tracker = new FakeTrackerAndSource();
    get(tracker.start(vertx));
    PeerVerticle peer =
        new PeerVerticle(
            TestPeers.options(
                folder,
                tracker.trackerPort,
                protocol,
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofMillis(50))
                    .setWatchDelay(Duration.ofMillis(watchDelayMillis))
                    .setRescanInterval(Duration.ofHours(1))));
    get(vertx.deployVerticle(peer));
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.messages.size() >= 3);
    long scans = peer.scans();
    int messages = tracker.messages.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.messages.size() >= messages + 20);
    long scansAfter = peer.scans();
    if (watched) {
      assertThat(scansAfter - scans).as("scans during 20 keepalives").isLessThanOrEqualTo(1);
    } else {
      assertThat(scansAfter - scans).as("scans during 20 keepalives").isGreaterThanOrEqualTo(15);
    }
    // a change is advertised either way: by the watcher, or by the next keepalive's scan
    Files.writeString(folder.resolve("b.txt"), "b");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tracker.messages.stream().anyMatch(m -> m.contains("\"b.txt\"")));
  }
}
