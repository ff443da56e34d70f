package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which events the watcher may take for the peer's own write of a file, and which it may not. */
class OwnWritesTest {
  @TempDir Path root;

  interface Change {
    void apply(Path file) throws Exception;
  }

  static Stream<Arguments> afterTheRename() {
    return Stream.of(
        Arguments.of("nothing: the rename's own event", (Change) file -> {}, true),
        Arguments.of(
            "the user set another mtime",
            (Change) file -> Files.setLastModifiedTime(file, FileTime.fromMillis(1_000L)),
            false),
        Arguments.of(
            "the user wrote other bytes",
            (Change) file -> Files.writeString(file, "other!"),
            false),
        Arguments.of(
            "the user replaced it by a copy of the same size and mtime (another inode)",
            (Change)
                file -> {
                  Path copy = file.resolveSibling("copy.tmp");
                  Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                  Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING);
                },
            false),
        Arguments.of("the user deleted it", (Change) Files::delete, false),
        Arguments.of(
            "a folder took the name",
            (Change)
                file -> {
                  Files.delete(file);
                  Files.createDirectory(file);
                },
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("afterTheRename")
  void anEventIsOursOnlyWhileTheFileIsTheVersionWritten(String what, Change change, boolean own)
      throws Exception {
    OwnWrites writes = new OwnWrites();
    Path temp = root.resolve(".got.txt.part");
    Files.writeString(temp, "hello");
    Files.setLastModifiedTime(temp, FileTime.fromMillis(1_600_000_000_000L));
    writes.writing("got.txt", temp);
    Files.move(temp, root.resolve("got.txt"), StandardCopyOption.ATOMIC_MOVE);

    change.apply(root.resolve("got.txt"));

    assertThat(writes.isOwn(root, "got.txt", false)).isEqualTo(own);
    assertThat(writes.size()).as("kept while it may still be ours").isEqualTo(own ? 1 : 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("afterTheRename")
  void theRenamesEventIsTheLastTakenForOurs(String what, Change change, boolean own)
      throws Exception {
    OwnWrites writes = new OwnWrites();
    Path file = root.resolve("got.txt");
    Files.writeString(file, "hello");
    writes.writing("got.txt", file);

    assertThat(writes.isOwn(root, "got.txt", true)).isTrue();
    change.apply(file);
    assertThat(writes.isOwn(root, "got.txt", false)).isFalse();
    assertThat(writes.size()).isZero();
  }

  @Test
  void aNameNeverWrittenIsNeverOurs() throws Exception {
    Files.writeString(root.resolve("user.txt"), "mine");
    assertThat(new OwnWrites().isOwn(root, "user.txt", true)).isFalse();
  }
}
