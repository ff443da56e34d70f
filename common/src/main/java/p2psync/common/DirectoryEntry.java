package p2psync.common;

import java.util.Objects;
import p2psync.common.v2.V2Entry;

/**
 * The peer that holds the newest version of one name, as the tracker tells it; on a v2 line also
 * that version's size, hash and every holder of it ({@code v2}, null on a seed line).
 */
public record DirectoryEntry(String ip, int port, long mtime, V2Entry v2) {
  public DirectoryEntry {
    Objects.requireNonNull(ip, "ip");
  }

  /** A seed entry. */
  public DirectoryEntry(String ip, int port, long mtime) {
    this(ip, port, mtime, null);
  }

  /** {@code ip:port}, the form the seed programs print. */
  public String address() {
    return ip + ":" + port;
  }
}
