package p2psync.tracker;

import java.util.List;
import java.util.Objects;
import p2psync.common.FileEntry;

/**
 * What the directory knows of one peer: the address it serves files on and the files it advertised.
 * Immutable; what a {@link Replication} ships between tracker nodes.
 *
 * @param ip the address the tracker saw on the peer's tracker connection
 * @param port the port the peer serves files on
 * @param files one entry per name, the newest mtime the peer listed for it
 */
public record PeerRecord(String ip, int port, List<FileEntry> files) {
  public PeerRecord {
    Objects.requireNonNull(ip, "ip");
    files = List.copyOf(files);
  }
}
