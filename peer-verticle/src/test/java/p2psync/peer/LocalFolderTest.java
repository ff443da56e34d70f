package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The file server's last byte comes from the very version it announced: a file renamed over the
 * name meanwhile (a user's save, a download of another version), even one of the same size and
 * mtime, gives no byte, so the requester sees a short body instead of a mix of two versions.
 */
class LocalFolderTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "the same file, none, true",
    "another file of the same size and mtime renamed over it, replace, false",
    "the name deleted, delete, false",
  })
  void theLastByteIsReadOnlyFromTheVersionSeen(String what, String change, boolean served)
      throws Exception {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "version a", StandardCharsets.UTF_8);
    FileTime mtime = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(file, mtime);
    LocalFolder folder = new LocalFolder(dir);
    LocalFolder.Version seen = folder.servableVersion("f.txt");

    switch (change) {
      case "replace" -> {
        Path other = dir.resolve("other");
        Files.writeString(other, "version b", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(other, mtime);
        Files.move(
            other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      case "delete" -> Files.delete(file);
      default -> {}
    }

    assertThat(folder.byteOfVersion("f.txt", seen, "version a".length() - 1))
        .isEqualTo(served ? (int) 'a' : -1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a small file: read whole, 9, 64, true",
    "an empty file: read whole, 0, 64, true",
    "a file over the limit: streamed instead, 9, 8, false",
  })
  void aSmallFileIsReadWholeAsOneVersion(String what, int size, int max, boolean whole)
      throws Exception {
    Path file = dir.resolve("f.txt");
    byte[] content = "version a".substring(0, size).getBytes(StandardCharsets.UTF_8);
    Files.write(file, content);
    LocalFolder folder = new LocalFolder(dir);

    LocalFolder.Read read = folder.readSmall("f.txt", max);
    assertThat(read.changed()).isFalse();
    assertThat(read.version()).isEqualTo(folder.servableVersion("f.txt"));
    if (whole) {
      assertThat(read.bytes()).isEqualTo(content);
    } else {
      assertThat(read.bytes()).isNull();
    }
    assertThat(folder.readSmall("missing", max)).isNull();
    Files.createDirectory(dir.resolve("folder"));
    assertThat(folder.readSmall("folder", max)).isNull();
  }
}
