package p2psync.peer.v2;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.FileEntry;

/**
 * A verified download's hash goes into the cache without reading the file again, but only for that
 * file: a user's save that replaced it between the rename and the record (seen in the 12-peer
 * simulation: the save was advertised under the download's hash, and every other peer copied the
 * downloaded content in its place) is hashed from its own bytes.
 */
@ExtendWith(VertxExtension.class)
class FolderHashesTest {
  static final long MTIME = 1_700_000_000L;
  static final String DOWNLOADED = "downloaded";

  /** Not the hash of any content here: advertised only if the cache took the download's word. */
  static final String DOWNLOAD_SHA = "d".repeat(64);

  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "the downloaded file itself, downloaded, 0, true",
    "a save of another size, the user's save, 0, false",
    "a save of the same size a second later, downloadeD, 1, false",
  })
  void aDownloadsHashIsTakenOnlyForTheFileItWasRecordedFor(
      String what, String content, long later, boolean taken, Vertx vertx) throws Exception {
    Path file = folder.resolve("f.txt");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(MTIME + later, TimeUnit.SECONDS));
    FolderHashes hashes = new FolderHashes(vertx, folder);
    try {
      get(hashes.open());

      get(hashes.downloaded("f.txt", DOWNLOAD_SHA, DOWNLOADED.length(), MTIME));
      List<FileEntry> advertised = get(hashes.entries(Map.of("f.txt", MTIME + later)));

      assertThat(advertised).hasSize(1);
      if (taken) {
        assertThat(advertised.get(0).sha256()).isEqualTo(DOWNLOAD_SHA);
      } else {
        assertThat(advertised.get(0).sha256()).isNull(); // not hashed yet: a seed entry for now
        String real = HashCacheTest.sha(content.getBytes(StandardCharsets.UTF_8));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> real.equals(get(hashes.current("f.txt"))));
      }
    } finally {
      get(hashes.close());
    }
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
