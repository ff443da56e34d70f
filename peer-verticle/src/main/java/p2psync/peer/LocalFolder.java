package p2psync.peer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;
import p2psync.common.RegularFile;

/**
 * The synchronized folder on disk. Every method here blocks: call them through {@code
 * executeBlocking}. Symbolic links are never followed, so nothing outside the folder is advertised
 * or served.
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

  /**
   * One look at the folder: the regular files that may be synced, by name, with mtimes in seconds;
   * and the syncable names taken by something else (a folder, a link), which are left alone.
   */
  record Scan(Map<String, Long> files, Set<String> occupied) {}

  Scan scan() throws IOException {
    Map<String, Long> files = new TreeMap<>();
    Set<String> occupied = new HashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!FileNames.isSyncable(name)) {
          continue;
        }
        try {
          BasicFileAttributes attrs =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.isRegularFile()) {
            files.put(name, Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L));
          } else {
            occupied.add(name);
          }
        } catch (IOException e) {
          // Vanished between listing and reading it: not there, then.
        }
      }
    }
    return new Scan(files, occupied);
  }

  static List<FileEntry> entries(Map<String, Long> files) {
    List<FileEntry> list = new ArrayList<>(files.size());
    files.forEach((name, mtime) -> list.add(new FileEntry(name, mtime)));
    return list;
  }

  /**
   * What identifies one version of a file: its size and times. The status-change time (ctime) is
   * included where the platform has it, because unlike the mtime no user can set it back.
   */
  record Version(long size, FileTime modified, Object changed) {}

  /**
   * The current version of a regular file we may serve, or null when there is none: no such name,
   * or a folder, a link or another non-regular file holds it. Throws when the file system fails
   * (permission denied, an I/O error), which is not the same as a missing file.
   */
  Version servableVersion(String name) throws IOException {
    RegularFile file = RegularFile.read(resolve(name), "unix:ctime");
    return file == null
        ? null
        : new Version(file.attrs().size(), file.attrs().lastModifiedTime(), file.unix());
  }

  /** Removes temp files left by a crash; returns how many. */
  int removeStaleTempFiles() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(root, p -> FileNames.isTempName(p.getFileName().toString()))) {
      for (Path entry : entries) {
        if (Files.deleteIfExists(entry)) {
          removed++;
        }
      }
    }
    return removed;
  }
}
