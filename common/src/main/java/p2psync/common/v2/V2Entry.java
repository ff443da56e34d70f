package p2psync.common.v2;

import java.util.List;
import java.util.Objects;

/**
 * What a v2 directory line adds to an entry: the winning version's size and SHA-256, and every live
 * holder of exactly that version (same mtime, size and hash), each of which speaks v2 on its file
 * port.
 */
public record V2Entry(long size, String sha256, List<Source> sources) {
  public V2Entry {
    Objects.requireNonNull(sha256, "sha256");
    sources = List.copyOf(sources);
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
