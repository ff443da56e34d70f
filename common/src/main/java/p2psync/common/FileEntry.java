package p2psync.common;

import java.util.Objects;

/** One file a peer advertises: a plain name in its folder and its mtime in whole seconds. */
public record FileEntry(String name, long mtime) {
  public FileEntry {
    Objects.requireNonNull(name, "name");
  }
}
