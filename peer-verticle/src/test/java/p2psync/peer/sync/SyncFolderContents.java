package p2psync.peer.sync;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import p2psync.common.FileNames;

/** What the sync tests look at in a peer's folder: its conflict copies and its trash. */
public final class SyncFolderContents {
  private SyncFolderContents() {}

  /** The contents of the conflict copies in {@code root}. */
  public static List<String> conflictCopies(Path root) throws IOException {
    try (Stream<Path> files = Files.list(root)) {
      return files
          .filter(f -> ConflictName.isConflictCopy(f.getFileName().toString()))
          .map(SyncFolderContents::read)
          .toList();
    }
  }

  /** The contents of every file in {@code root}'s trash. */
  public static List<String> trash(Path root) throws IOException {
    Path trash = root.resolve(FileNames.STATE_DIR).resolve("trash");
    if (!Files.isDirectory(trash)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(trash)) {
      return files.filter(Files::isRegularFile).map(SyncFolderContents::read).toList();
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits on the test thread for a future, at most 10 s. */
  public static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
