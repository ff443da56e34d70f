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
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerPort(tracker.trackerPort)
                .setProtocol(protocol)
                .setSync(
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

    Files.delete(file);
    await().atMost(Duration.ofSeconds(10)).until(() -> last(tracker).contains("\"files\": []"));

    // watching changes when a seed peer speaks, never what it says
    if (protocol == 1) {
      assertThat(tracker.messages)
          .allSatisfy(m -> assertThat(m).doesNotContain("\"v\"").doesNotContain("sha256"));
    }
  }

  /**
   * A download this peer committed is no change to advertise (it knows what it wrote; the next
   * keepalive tells the tracker): 10,000 landing files would otherwise re-advertise the whole
   * folder every few watch delays. The user touching that same file afterwards is a change again.
   */
  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {1, 2})
  void theWatcherIgnoresThePeersOwnDownloads(int protocol, Vertx vertx) throws Exception {
    FakeTrackerAndSource fake = new FakeTrackerAndSource();
    fake.directory.set("{" + FakeTrackerAndSource.entry("got.txt", 1_600_000_000L) + "}");
    fake.response.set("Content-Length: 5\nhello");
    get(fake.start(vertx));
    PeerVerticle peer = startPeer(vertx, fake, protocol);
    await().atMost(Duration.ofSeconds(10)).until(() -> peer.transfers().completed() == 1);
    assertThat(folder.resolve("got.txt")).hasContent("hello");

    // a watcher that fired would have sent the folder again well within ten watch delays
    int sent = fake.messages.size();
    await()
        .during(WATCH_DELAY.multipliedBy(10))
        .atMost(Duration.ofSeconds(10))
        .until(() -> fake.messages.size() == sent);
    assertThat(fake.messages).noneMatch(m -> m.contains("got.txt"));

    Files.setLastModifiedTime(folder.resolve("got.txt"), FileTime.fromMillis(1_700_000_000_000L));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                fake.messages.stream()
                    .anyMatch(m -> m.contains("\"name\": \"got.txt\", \"mtime\": 1700000000")));
  }

  private static String last(FakeTrackerAndSource tracker) {
    return tracker.messages.isEmpty() ? "" : tracker.messages.get(tracker.messages.size() - 1);
  }
}
