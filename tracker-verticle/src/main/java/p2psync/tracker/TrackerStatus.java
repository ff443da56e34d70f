package p2psync.tracker;

import java.util.List;
import p2psync.common.FileEntry;

/**
 * What a status page shows of a tracker, immutable: built on the tracker's event loop on demand
 * ({@link TrackerVerticle#status()}), read anywhere. Built in O(peers x names): meant for people
 * looking, not for every message.
 *
 * @param peers every peer of the directory, local or another cluster node's
 * @param names every name of the directory, in line order
 * @param nodes this tracker's cluster nodes, itself first; empty when it is alone
 * @param events the latest joins, departures and new versions, oldest first
 * @param version the directory's version (increases with every change of the line)
 * @param encodes how many times the line was built
 */
public record TrackerStatus(
    List<PeerStatus> peers,
    List<NameStatus> names,
    List<String> nodes,
    List<Event> events,
    long version,
    long encodes) {

  /**
   * One peer.
   *
   * @param address where it serves files, {@code ip:port}
   * @param kind {@code seed}: it speaks the seed protocol (every peer does so far)
   * @param local connected to this tracker, not to another node of its cluster
   * @param connectedSince epoch millis, or 0 when it is another node's
   * @param lastMessage epoch millis of its last line, or 0 when it is another node's
   * @param lacking names of the directory it does not hold at their newest version
   * @param files what it advertised, one entry per name
   */
  public record PeerStatus(
      String address,
      String kind,
      boolean local,
      long connectedSince,
      long lastMessage,
      int lacking,
      List<FileEntry> files) {}

  /** One name: the peer the directory names for it, the newest mtime, how many peers list it. */
  public record NameStatus(String name, String winner, long mtime, int holders) {}

  /** Something that happened, at epoch millis {@code time}. */
  public record Event(long time, String text) {}

  /** A directory peer as the directory holds it; the tracker adds what its connection knows. */
  record Holding(long id, String ip, int port, List<FileEntry> files) {}
}
