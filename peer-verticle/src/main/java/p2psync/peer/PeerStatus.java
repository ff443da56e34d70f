package p2psync.peer;

import java.util.List;
import java.util.Map;
import p2psync.peer.sync.SyncStatus;

/**
 * What a status page shows of a peer, immutable: built on the peer's event loop ({@link
 * PeerVerticle#status()}), read anywhere.
 *
 * @param folder the synchronized folder
 * @param port the file server's port
 * @param advertisedPort the port told to the tracker
 * @param tracker the tracker it talks to or tries next, {@code host:port}
 * @param trackerConnected whether that connection is up
 * @param files the local names and mtimes (epoch seconds)
 * @param running transfers under way
 * @param recent the latest finished or failed transfers, newest first
 * @param completed downloads finished since start
 * @param failed downloads failed since start
 * @param sync the v2 sync state (tombstones, trash, conflict copies); null for a seed peer
 */
public record PeerStatus(
    String folder,
    int port,
    int advertisedPort,
    String tracker,
    boolean trackerConnected,
    Map<String, Long> files,
    List<Transfer> running,
    List<Transfer> recent,
    long completed,
    long failed,
    SyncStatus sync) {

  /**
   * One download.
   *
   * @param source the peer it comes from, {@code ip:port}
   * @param bytes received so far
   * @param expected the announced length, -1 before the header
   * @param startedAt epoch millis
   * @param millis how long it ran (so far)
   * @param result {@code running}, {@code done} or {@code failed}
   * @param reason why it failed, or null
   */
  public record Transfer(
      String name,
      String source,
      long bytes,
      long expected,
      long startedAt,
      long millis,
      String result,
      String reason) {

    /** Bytes per second over the transfer so far. */
    public long speed() {
      return millis <= 0 ? 0 : bytes * 1000 / millis;
    }
  }
}
