package p2psync.common;

import java.util.Objects;

/**
 * One file a peer advertises: a plain name in its folder and its mtime in whole seconds; for a v2
 * peer also its size and SHA-256 (lower-case hex), which seed parties never send nor read; and, v2
 * only, a tombstone: a name this peer deleted ({@code deleted}), its mtime the deletion time, its
 * size and hash those of the version it had.
 *
 * @param size the size in bytes, or -1 when not advertised (a seed entry)
 * @param sha256 64 lower-case hex digits, or null when not advertised (a seed entry)
 * @param deleted a tombstone (always with a size and hash): never sent to a seed party
 */
public record FileEntry(String name, long mtime, long size, String sha256, boolean deleted) {
  public FileEntry {
    Objects.requireNonNull(name, "name");
    if ((sha256 == null) != (size < 0)) {
      throw new IllegalArgumentException("size and sha256 go together: " + size + ", " + sha256);
    }
    if (deleted && sha256 == null) {
      throw new IllegalArgumentException("a tombstone names the hash it had: " + name);
    }
  }

  /** A seed entry: name and mtime only. */
  public FileEntry(String name, long mtime) {
    this(name, mtime, -1, null, false);
  }

  /** A v2 entry of a file that exists. */
  public FileEntry(String name, long mtime, long size, String sha256) {
    this(name, mtime, size, sha256, false);
  }

  /** A tombstone: {@code name} was deleted at {@code deletedAt} and had this size and hash. */
  public static FileEntry tombstone(String name, long deletedAt, long size, String sha256) {
    return new FileEntry(name, deletedAt, size, sha256, true);
  }

  /** Whether the entry carries v2's size and hash. */
  public boolean hasHash() {
    return sha256 != null;
  }
}
