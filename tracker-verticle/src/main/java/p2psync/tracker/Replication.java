package p2psync.tracker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;

/**
 * Shares a tracker's peers with other trackers, so that together they serve one directory: told of
 * every change of a local peer, and given the {@link Directory} (through {@link RemotePeers}) to
 * put the other trackers' peers in. Every call is made on the tracker verticle's event loop, and a
 * replication must call back on that context only.
 */
public interface Replication {
  /** The stand-alone tracker: nothing is shared. */
  Replication NONE =
      new Replication() {
        @Override
        public Future<Void> start(Context context, TrackerOptions options, RemotePeers directory) {
          return Future.succeededFuture();
        }

        @Override
        public void localPeerChanged(long peerId, PeerRecord peer) {}

        @Override
        public void localPeerRemoved(long peerId) {}

        @Override
        public Future<Void> stop() {
          return Future.succeededFuture();
        }
      };

  /** Called once the tracker listens; the tracker is started when the returned future is. */
  Future<Void> start(Context context, TrackerOptions options, RemotePeers directory);

  /** A local peer joined, moved or advertised files. */
  void localPeerChanged(long peerId, PeerRecord peer);

  /** A local peer left (its connection closed or expired). */
  void localPeerRemoved(long peerId);

  Future<Void> stop();

  /** The cluster's nodes as this one sees them, itself first; empty for a tracker alone. */
  default List<String> nodes() {
    return List.of();
  }

  /**
   * The tracker's directory as a replication sees it: peers of other trackers, under negative ids.
   */
  interface RemotePeers {
    /**
     * Adds or replaces a remote peer; {@code id} must be negative, so it never meets a local
     * peer's.
     */
    void put(long id, PeerRecord peer);

    void remove(long id);
  }
}
