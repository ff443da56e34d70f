package p2psync.peer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;

/**
 * The synchronized folder on disk. Every method here blocks: call them through
 * {@code executeBlocking}. Symbolic links are never followed, so nothing outside the folder is
 * advertised or served.
 */
final class LocalFolder {
  private final Path root;

  LocalFolder(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** The path of a syncable name; throws for any other name, so no caller can leave the folder. */
  Path resolve(String name) {
    String reason = FileNames.rejectionReason(name);
    if (reason != null) {
      throw new IllegalArgumentException("refusing name " + name + ": " + reason);
    }
    Path path = root.resolve(name);
    if (!root.equals(path.getParent())) {
      throw new IllegalArgumentException("refusing name " + name + ": not directly in the folder");
    }
    return path;
  }

  /** The regular files directly in the folder that may be synced, by name, with mtimes in seconds. */
  Map<String, Long> scan() throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!FileNames.isSyncable(name)) {
          continue;
        }
        try {
          BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.isRegularFile()) {
            files.put(name, Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L));
          }
        } catch (IOException e) {
          // Vanished between listing and reading it: not there, then.
        }
      }
    }
    return files;
  }

  static List<FileEntry> entries(Map<String, Long> files) {
    List<FileEntry> list = new ArrayList<>(files.size());
    files.forEach((name, mtime) -> list.add(new FileEntry(name, mtime)));
    return list;
  }

  /** Size of a regular file we may serve, or -1 when there is no such file. */
  long servableSize(String name) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attrs.isRegularFile() ? attrs.size() : -1;
    } catch (IOException | IllegalArgumentException e) {
      return -1;
    }
  }

  /** Removes temp files left by a crash; returns how many. */
  int removeStaleTempFiles() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, FileNames.TEMP_PREFIX + "*")) {
      for (Path entry : entries) {
        if (Files.deleteIfExists(entry)) {
          removed++;
        }
      }
    }
    return removed;
  }
}
