package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2psync.common.FileEntry;
import p2psync.common.SyncConfig;

/**
 * A folder whose scan takes longer than a keepalive interval (10,000 files on a busy machine): the
 * scans do not pile up, one running at a time, and the tracker still hears from the peer every
 * interval, so it never expires a peer that is only slow to look at its folder.
 */
@ExtendWith(VertxExtension.class)
class SlowScanTest {

  @Test
  void scansDoNotPileUpAndKeepAlivesGoOnDuringOne(Vertx vertx) throws Exception {
    FakeTrackerAndSource tracker = new FakeTrackerAndSource();
    tracker.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<Promise<List<FileEntry>>> scans = new CopyOnWriteArrayList<>();
    PeerOptions options =
        new PeerOptions()
            .setTrackerHost("127.0.0.1")
            .setTrackerPort(tracker.trackerPort)
            .setProtocol(1)
            .setSync(new SyncConfig().setKeepAliveInterval(Duration.ofMillis(50)));
    Context context = vertx.getOrCreateContext();
    context.runOnContext(
        v ->
            new TrackerClient(
                    vertx,
                    options,
                    7000,
                    () -> {
                      Promise<List<FileEntry>> scan = Promise.promise();
                      scans.add(scan);
                      return scan.future();
                    },
                    line -> {},
                    (entries, changed) -> {})
                .start());

    // the first scan hangs for many keepalive intervals
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.messages.size() >= 5);
    assertThat(scans).as("scans started while the first runs").hasSize(1);
    assertThat(tracker.messages).containsOnly("{\"port\": 7000}");

    context.runOnContext(v -> scans.get(0).complete(List.of(new FileEntry("a.txt", 1))));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tracker.messages.stream().anyMatch(m -> m.contains("a.txt")));
    // the intervals that passed during it asked for one more scan, not one each
    await().atMost(Duration.ofSeconds(10)).until(() -> scans.size() == 2);
    assertThat(scans).hasSize(2);
  }
}
