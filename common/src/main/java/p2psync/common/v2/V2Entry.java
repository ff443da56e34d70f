package p2psync.common.v2;

import java.util.List;
import java.util.Objects;

/**
 * What a v2 directory line adds to an entry: the winning version's size and SHA-256, and every live
 * holder of exactly that version (same mtime, size and hash), each of which speaks v2 on its file
 * port. With {@code deleted}, the winner is a tombstone: the name was deleted at the entry's mtime,
 * and had this size and hash.
 */
public record V2Entry(long size, String sha256, List<Source> sources, boolean deleted) {
  public V2Entry {
    Objects.requireNonNull(sha256, "sha256");
    sources = List.copyOf(sources);
  }

  /** The entry of a version that exists. */
  public V2Entry(long size, String sha256, List<Source> sources) {
    this(size, sha256, sources, false);
  }

  /** One holder's file-serving address. */
  public record Source(String ip, int port) {
    public Source {
      Objects.requireNonNull(ip, "ip");
    }

    public String address() {
      return ip + ":" + port;
    }
  }
}
