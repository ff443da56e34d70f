package p2psync.peer.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.FileEntry;

/** What a v2 peer advertises for files it downloaded: the verified hash, never read again. */
@ExtendWith(VertxExtension.class)
class FolderHashesTest {
  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The hash a transfer verified, deliberately not the content's, shows it was never re-read. */
  private static final String VERIFIED = "ab".repeat(32);

  @Test
  void aDownloadsHashIsAdvertisedAtOnceWithoutReadingTheFile(Vertx vertx) throws Exception {
    Path file = folder.resolve("got.bin");
    Files.writeString(file, "12345");
    Files.setLastModifiedTime(file, FileTime.from(1_600_000_000L, TimeUnit.SECONDS));
    FolderHashes hashes = new FolderHashes(vertx, folder);
    get(hashes.open());

    // the advertisement's look-up may run before the download's own worker does: no matter
    Future<Void> recorded = hashes.downloaded("got.bin", VERIFIED, 5, 1_600_000_000L);
    List<FileEntry> entries = get(hashes.entries(Map.of("got.bin", 1_600_000_000L)));
    get(recorded);

    assertThat(entries).containsExactly(new FileEntry("got.bin", 1_600_000_000L, 5, VERIFIED));
    get(hashes.close());
  }

  @Test
  void aFileThatIsNoLongerTheDownloadedVersionIsHashedAgain(Vertx vertx) throws Exception {
    Path file = folder.resolve("got.bin");
    Files.writeString(file, "12345 and an edit");
    Files.setLastModifiedTime(file, FileTime.from(1_600_000_001L, TimeUnit.SECONDS));
    FolderHashes hashes = new FolderHashes(vertx, folder);
    get(hashes.open());

    get(hashes.downloaded("got.bin", VERIFIED, 5, 1_600_000_000L));
    List<FileEntry> first = get(hashes.entries(Map.of("got.bin", 1_600_000_001L)));
    assertThat(first).containsExactly(new FileEntry("got.bin", 1_600_000_001L));

    String real = HashCacheTest.sha("12345 and an edit".getBytes());
    await().atMost(Duration.ofSeconds(10)).until(() -> real.equals(get(hashes.current("got.bin"))));
    get(hashes.close());
  }
}
