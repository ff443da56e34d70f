package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trash keeps a file's name, content and mtime, finds it by hash, and purges by age. */
class TrashTest {
  static final String A = "a".repeat(64);
  static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

  @TempDir Path root;

  @Test
  void aTrashedFileKeepsItsNameContentAndMtimeAndIsFoundByItsHash() throws Exception {
    Trash trash = new Trash(root);
    Path file = Files.writeString(root.resolve("notes.txt"), "hello");
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000L));
    Path trashed = trash.put(file, "notes.txt", A, T);

    assertThat(file).doesNotExist();
    assertThat(trashed.getFileName().toString()).isEqualTo("notes.txt");
    assertThat(trashed).hasContent("hello");
    assertThat(Files.getLastModifiedTime(trashed).toMillis()).isEqualTo(1_000_000_000L);
    assertThat(trash.find(A)).isEqualTo(trashed);
    assertThat(trash.find("b".repeat(64))).isNull();
  }

  @Test
  void thePurgeTakesWhatIsOlderThanTheRetentionOnly() throws Exception {
    Trash trash = new Trash(root);
    Path old = trash.put(Files.writeString(root.resolve("old"), "o"), "old", null, T);
    Path recent =
        trash.put(
            Files.writeString(root.resolve("new"), "n"), "new", A, T.plus(Duration.ofDays(6)));
    Files.createDirectories(trash.dir().resolve("not-ours")); // left alone

    assertThat(trash.purge(T.plus(Duration.ofDays(7)), Duration.ofDays(7))).isZero();
    assertThat(trash.purge(T.plus(Duration.ofDays(8)), Duration.ofDays(7))).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(old.getParent()).doesNotExist();
    assertThat(recent).exists();
    assertThat(trash.dir().resolve("not-ours")).exists();
  }

  @Test
  void theListingShowsNameTimeAndSizeNewestFirstAndSkipsWhatIsNotOurs() throws Exception {
    Trash trash = new Trash(root);
    assertThat(trash.list()).isEmpty(); // no trash folder yet
    trash.put(Files.writeString(root.resolve("a.txt"), "aaa"), "a.txt", A, T);
    trash.put(Files.writeString(root.resolve("b.txt"), "b"), "b.txt", null, T.plusSeconds(5));
    Files.createDirectories(trash.dir().resolve("not-ours"));
    Files.writeString(trash.dir().resolve("not-ours").resolve("x"), "x");

    assertThat(trash.list())
        .containsExactly(
            new SyncStatus.TrashEntry("b.txt", T.plusSeconds(5).toEpochMilli(), 1),
            new SyncStatus.TrashEntry("a.txt", T.toEpochMilli(), 3));
  }
}
