package p2psync.peer.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files this peer put into its folder itself (committed downloads), each with the version it
 * wrote, so that the {@link FolderWatcher} does not take them for the user's changes: 10,000 files
 * landing would otherwise re-advertise the whole folder every few watch delays, and each of those
 * advertisements costs a scan, a hash look-up per file and a whole directory on the tracker, while
 * the peer already knows what it wrote (docs/benchmarks.md, section 10). A file that differs from
 * what was written (another size, mtime or inode: the user touched it after us) is a change again.
 *
 * <p>Thread-safe: versions are recorded on the workers that commit, and checked on the watcher's
 * thread. Both block (a stat each).
 */
public final class OwnWrites {
  /** One version of a file: what a later look must find for the file to be still ours. */
  private record Written(long size, long mtimeMillis, Object fileKey) {
    static Written of(BasicFileAttributes attrs) {
      return new Written(attrs.size(), attrs.lastModifiedTime().toMillis(), attrs.fileKey());
    }
  }

  private final Map<String, Written> written = new ConcurrentHashMap<>();

  /**
   * Blocking: {@code file}, about to be renamed to {@code name} in the folder, is ours. Call after
   * its last write and its mtime, before the rename (which keeps its inode), so that the watcher's
   * event, which follows the rename, always finds it.
   */
  public void writing(String name, Path file) throws IOException {
    written.put(name, Written.of(attributes(file)));
  }

  /**
   * Blocking: whether an event for {@code name} in {@code root} comes from this peer's own write:
   * the file there is still exactly the version written. {@code created}: the event of the rename
   * itself, after which the record is dropped (the name's later events are the user's); other
   * events (the old file moved away first, its attributes) keep it.
   */
  public boolean isOwn(Path root, String name, boolean created) {
    Written mine = written.get(name);
    if (mine == null) {
      return false;
    }
    Written now;
    try {
      now = Written.of(attributes(root.resolve(name)));
    } catch (IOException e) {
      now = null; // gone, or unreadable: not what we wrote
    }
    if (!Objects.equals(mine, now) || created) {
      written.remove(name, mine);
    }
    return mine.equals(now);
  }

  /** Names recorded and not yet seen created: for tests. */
  int size() {
    return written.size();
  }

  private static BasicFileAttributes attributes(Path file) throws IOException {
    BasicFileAttributes attrs =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isRegularFile()) {
      throw new NoSuchFileException(file.toString(), null, "not a regular file");
    }
    return attrs;
  }
}
