package p2psync.common;

import java.util.Objects;

/** The peer that holds the newest version of one name, as the tracker tells it. */
public record DirectoryEntry(String ip, int port, long mtime) {
  public DirectoryEntry {
    Objects.requireNonNull(ip, "ip");
  }

  /** {@code ip:port}, the form the seed programs print. */
  public String address() {
    return ip + ":" + port;
  }
}
