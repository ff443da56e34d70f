package p2psync.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;
import p2psync.common.RegularFile;
import p2psync.peer.v2.HashCache;

/**
 * The synchronized folder on disk. Every method here blocks: call them through {@code
 * executeBlocking}. Symbolic links are never followed, so nothing outside the folder is advertised
 * or served.
 */
final class LocalFolder {
  private final Path root;

  /** Scans read each file's hash-cache key too (a v2 peer), in the same one look. */
  private final boolean keyed;

  LocalFolder(Path root) {
    this(root, false);
  }

  LocalFolder(Path root, boolean keyed) {
    this.root = root.toAbsolutePath().normalize();
    this.keyed = keyed;
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
  record Scan(Map<String, Long> files, Set<String> occupied, Map<String, HashCache.Key> keys) {}

  Scan scan() throws IOException {
    Scan scan = new Scan(new TreeMap<>(), new HashSet<>(), keyed ? new HashMap<>() : Map.of());
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FileNames.isSyncable(name)) {
          look(name, entry, scan);
        }
      }
    }
    return scan;
  }

  /**
   * The folder as {@code base} saw it, but for {@code names}, looked at again: what a whole scan
   * would find when only those names changed since {@code base} began (a watcher's word). A look
   * per changed name instead of one per file: a peer pulling a thousand files advertised after
   * every few of them, and each advertisement stat'ed the whole folder.
   */
  Scan rescan(Scan base, Set<String> names) {
    Scan scan =
        new Scan(
            new TreeMap<>(base.files()),
            new HashSet<>(base.occupied()),
            keyed ? new HashMap<>(base.keys()) : Map.of());
    for (String name : names) {
      scan.files().remove(name);
      scan.occupied().remove(name);
      if (keyed) {
        scan.keys().remove(name);
      }
      if (FileNames.isSyncable(name)) {
        look(name, root.resolve(name), scan);
      }
    }
    return scan;
  }

  /** One look at a name (one stat), into {@code scan}. */
  private void look(String name, Path entry, Scan scan) {
    try {
      if (keyed) {
        HashCache.Key key = HashCache.keyOf(entry);
        if (key != null) {
          scan.files().put(name, key.mtimeSeconds());
          scan.keys().put(name, key);
          return;
        }
      }
      BasicFileAttributes attrs =
          Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isRegularFile()) {
        scan.files().put(name, Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L));
      } else {
        scan.occupied().add(name);
      }
    } catch (IOException e) {
      // Gone (between listing and reading it, or since the base): not there, then.
    }
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

  /**
   * The byte at {@code position} of the version {@code seen} of {@code name}, read from that very
   * file, or -1 when the name holds another version now (or none). The file is opened before its
   * version is looked at: a file renamed over the name after the open fails the look, and one
   * renamed before it is the one both see, so the byte returned is one of version {@code seen}.
   * Opening the name again after the look (as a second {@code sendFile} did) could read the next
   * version's byte, and an unverified (seed) download then stored a mix of two versions.
   */
  int byteOfVersion(String name, Version seen, long position) throws IOException {
    try (FileChannel channel =
        FileChannel.open(resolve(name), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      if (!seen.equals(servableVersion(name))) {
        return -1;
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      return channel.read(one, position) == 1 ? one.get(0) & 0xff : -1;
    } catch (NoSuchFileException e) {
      return -1;
    }
  }

  /**
   * What {@link #readSmall} found: the version of the name, and its whole content when it is small
   * (else null: serve it from the disk as it streams). {@code changed}: the file changed while it
   * was read (its bytes are of no one version).
   */
  record Read(Version version, byte[] bytes, boolean changed) {}

  /**
   * The current version of {@code name} and, when it is at most {@code maxBytes}, its whole
   * content, read as one version: looked at, read from a file opened after the look, and looked at
   * again; anything renamed over the name or written in place meanwhile changes its ctime, so equal
   * looks mean the bytes are that version's. Null when no servable file holds the name. One
   * blocking call for a small file's whole answer, instead of a look, a {@code sendFile} and a read
   * of its last byte ({@link #byteOfVersion}), each a hop to a worker thread: a peer serving a
   * thousand small files answered about one a millisecond per connection.
   */
  Read readSmall(String name, int maxBytes) throws IOException {
    Version before = servableVersion(name);
    if (before == null || before.size() > maxBytes) {
      return before == null ? null : new Read(before, null, false);
    }
    byte[] bytes = new byte[(int) before.size()];
    try (FileChannel channel =
        FileChannel.open(resolve(name), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, buffer.position()) < 0) {
          return new Read(before, null, true); // shorter than it was a moment ago
        }
      }
    } catch (NoSuchFileException e) {
      return new Read(before, null, true);
    }
    return before.equals(servableVersion(name))
        ? new Read(before, bytes, false)
        : new Read(before, null, true);
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
