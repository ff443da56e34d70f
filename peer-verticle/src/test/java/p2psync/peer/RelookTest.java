package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.SyncConfig;
import p2psync.peer.sync.SyncFolderContents;

/**
 * Issue 11's open bug: with directory deltas a v2 peer looked only at the names a delta changed, so
 * a name it had passed over for a reason that later went away here, the directory unchanged, was
 * never looked at again. Each test plays one such reason against a tracker whose directory changes
 * only when the test says (so no delta names the name again), with the periodic sweep off: only the
 * fix for that reason can save it.
 */
@ExtendWith(VertxExtension.class)
class RelookTest {
  static final long MTIME = 1_700_000_000L;

  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private PlayedDeltaTracker startPeer(Vertx vertx, PlayedDeltaTracker tracker) throws Exception {
    get(
        vertx.deployVerticle(
            new PeerVerticle(
                TestPeers.options(
                    folder,
                    tracker.trackerPort,
                    2,
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofMillis(100))
                        .setWatchDelay(Duration.ofMillis(20))
                        .setDirectorySweepInterval(Duration.ZERO)))));
    return tracker;
  }

  private static void write(Path file, String content, long mtime) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(mtime, TimeUnit.SECONDS));
  }

  /** The peer's messages have said {@code text} (its advertisement, its version held). */
  private static void awaitMessage(PlayedDeltaTracker tracker, String text) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tracker.messages.stream().anyMatch(m -> m.contains(text)));
  }

  /**
   * A deletion the tracker never takes (after a restart it knows no holder of that version) is
   * given up after a few lines, and the file must come back: the directory still names the live
   * version it always named, so no delta names it again.
   */
  @Test
  void aDeletionGivenUpBringsTheFileBack(Vertx vertx) throws Exception {
    write(folder.resolve("f.txt"), "one", MTIME);
    PlayedDeltaTracker tracker = new PlayedDeltaTracker();
    get(tracker.start(vertx));
    tracker.holderServes("one");
    tracker.file("f.txt", MTIME, "one");
    startPeer(vertx, tracker);
    awaitMessage(tracker, "\"sha256\": \"" + PlayedDeltaTracker.sha256("one") + "\"");

    Files.delete(folder.resolve("f.txt")); // the user deletes it; the tracker refuses the deletion
    awaitMessage(tracker, "\"deleted\": true");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "one".equals(readOrNull(folder.resolve("f.txt"))));
    assertThat(Files.getLastModifiedTime(folder.resolve("f.txt")).to(TimeUnit.SECONDS))
        .isEqualTo(MTIME);
  }

  /**
   * The version being downloaded is deleted at the tracker while the transfer runs: the delta that
   * says so came before the file was here (nothing to delete yet), and the file that then lands
   * must still go to the trash, not stay on this peer alone for ever.
   */
  @Test
  void aDeletionThatCameDuringTheDownloadIsAppliedOnceTheFileLands(Vertx vertx) throws Exception {
    PlayedDeltaTracker tracker = new PlayedDeltaTracker();
    get(tracker.start(vertx));
    tracker.holderServes("one");
    tracker.hold();
    tracker.file("f.txt", MTIME, "one");
    startPeer(vertx, tracker);
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.requests.get() == 1);

    tracker.tombstone("f.txt", MTIME + 10, "one");
    // the peer applied that delta: its KeepAlives name the version after it
    awaitMessage(tracker, "\"version\": " + tracker.version());
    tracker.release();

    await().atMost(Duration.ofSeconds(10)).until(() -> trashed().contains("one"));
    assertThat(folder.resolve("f.txt")).doesNotExist();
  }

  /**
   * A folder that held the name (never synced) goes away: the directory's file is fetched then,
   * though the directory did not change.
   */
  @Test
  void aNameAFolderHeldIsFetchedOnceTheFolderIsGone(Vertx vertx) throws Exception {
    Files.createDirectory(folder.resolve("f.txt"));
    PlayedDeltaTracker tracker = new PlayedDeltaTracker();
    get(tracker.start(vertx));
    tracker.holderServes("one");
    tracker.file("f.txt", MTIME, "one");
    startPeer(vertx, tracker);
    awaitMessage(tracker, "\"version\": " + tracker.version());

    Files.delete(folder.resolve("f.txt"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "one".equals(readOrNull(folder.resolve("f.txt"))));
  }

  private static String readOrNull(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null; // replaced while read: looked at again
    }
  }

  private List<String> trashed() throws IOException {
    return SyncFolderContents.trash(folder);
  }
}
