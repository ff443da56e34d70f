package p2psync.common;

import java.util.Objects;

/**
 * One file a peer advertises: a plain name in its folder and its mtime in whole seconds; for a v2
 * peer also its size and SHA-256 (lower-case hex), which seed parties never send nor read.
 *
 * @param size the size in bytes, or -1 when not advertised (a seed entry)
 * @param sha256 64 lower-case hex digits, or null when not advertised (a seed entry)
 */
public record FileEntry(String name, long mtime, long size, String sha256) {
  public FileEntry {
    Objects.requireNonNull(name, "name");
    if ((sha256 == null) != (size < 0)) {
      throw new IllegalArgumentException("size and sha256 go together: " + size + ", " + sha256);
    }
  }

  /** A seed entry: name and mtime only. */
  public FileEntry(String name, long mtime) {
    this(name, mtime, -1, null);
  }

  /** Whether the entry carries v2's size and hash. */
  public boolean hasHash() {
    return sha256 != null;
  }
}
