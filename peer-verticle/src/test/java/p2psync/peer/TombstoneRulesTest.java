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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.SyncConfig;
import p2psync.peer.sync.SyncFolderContents;

/**
 * A v2 peer applies a tombstone only where it may, whatever its tracker says (here a scripted one
 * that checks nothing): the deleted version goes to the trash and the peer advertises the deletion
 * too; a tombstone from the future is ignored; a copy the deletion did not know (another content,
 * never synced) is kept and made newer than the deletion, so that the edit wins everywhere.
 */
@ExtendWith(VertxExtension.class)
class TombstoneRulesTest {
  static final long MTIME = 1_700_000_000L;

  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "the deleted version, same, 0, trashed",
    "dated a day ahead, same, 86400, untouched",
    "another version, other, 0, newer",
  })
  void aTombstoneFromTheTracker(String why, String hash, long ahead, String outcome, Vertx vertx)
      throws Exception {
    Path file = folder.resolve("f.txt");
    Files.writeString(file, "content", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(MTIME, TimeUnit.SECONDS));
    String sha =
        hash.equals("same")
            ? HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest("content".getBytes(StandardCharsets.UTF_8)))
            : "c".repeat(64);
    long deletedAt = System.currentTimeMillis() / 1000 + ahead;
    FakeTrackerAndSource tracker = new FakeTrackerAndSource();
    tracker.directory.set(
        "{\"\": {\"v\": 2}, \"f.txt\": {\"ip\": \"127.0.0.1\", \"port\": 1, \"mtime\": "
            + deletedAt
            + ", \"size\": 7, \"sha256\": \""
            + sha
            + "\", \"deleted\": true, \"sources\": [{\"ip\": \"127.0.0.1\", \"port\": 1}]}}");
    get(tracker.start(vertx));
    get(
        vertx.deployVerticle(
            new PeerVerticle(
                TestPeers.options(
                    folder,
                    tracker.trackerPort,
                    2,
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofMillis(100))
                        .setWatchDelay(Duration.ofMillis(20))))));

    switch (outcome) {
      case "trashed" -> {
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(file));
        assertThat(trashed()).containsExactly("content");
        // and it tells the tracker it deleted that version too
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    tracker.messages.stream()
                        .anyMatch(
                            m ->
                                m.contains(
                                    "\"mtime\": "
                                        + deletedAt
                                        + ", \"size\": 7, \"sha256\": \""
                                        + sha
                                        + "\", \"deleted\": true")));
      }
      case "newer" ->
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () ->
                      Files.getLastModifiedTime(file).to(TimeUnit.SECONDS) == deletedAt + 1
                          && Files.readString(file).equals("content"));
      default -> {
        // many directories come and go (every 100 ms); the file stays exactly as it was
        await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    Files.exists(file)
                        && Files.getLastModifiedTime(file).to(TimeUnit.SECONDS) == MTIME);
        assertThat(trashed()).isEmpty();
      }
    }
  }

  private List<String> trashed() throws Exception {
    return SyncFolderContents.trash(folder);
  }
}
