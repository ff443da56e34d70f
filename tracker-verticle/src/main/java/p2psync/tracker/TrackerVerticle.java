package p2psync.tracker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import p2psync.common.LocalPorts;

/**
 * The seed protocol's tracker: one TCP server, one persistent connection per peer, and after every
 * message that names a port, one directory line back.
 *
 * <p>A peer leaves the directory when its connection closes or when it has sent nothing for {@code
 * trackerExpiry} (three keepalive intervals by default): the read-idle timeout closes the
 * connection.
 */
public class TrackerVerticle extends VerticleBase {
  private static final Logger LOG = System.getLogger(TrackerVerticle.class.getName());

  private TrackerOptions options;
  private final Replication replication;
  private final Directory directory = new Directory();

  /** Live connections by the {@code ip:port} they serve files on, to retire a peer's stale one. */
  private final Map<String, TrackerConnection> byServedAddress = new HashMap<>();

  private NetServer server;
  private long nextPeerId;

  /** What other threads may read: replaced, never changed, by the event loop. */
  private volatile TrackerSnapshot snapshot = TrackerSnapshot.EMPTY;

  private boolean publishPending;

  /** Deployed by name: reads {@link TrackerOptions} from the deployment config. */
  public TrackerVerticle() {
    this(null, Replication.NONE);
  }

  public TrackerVerticle(TrackerOptions options) {
    this(options, Replication.NONE);
  }

  /**
   * A tracker that shares its peers with other trackers through {@code replication} (one node of a
   * cluster). {@code options} null: read from the deployment config.
   */
  public TrackerVerticle(TrackerOptions options, Replication replication) {
    this.options = options;
    this.replication = Objects.requireNonNull(replication, "replication");
  }

  @Override
  public Future<?> start() {
    if (options == null) {
      options = new TrackerOptions(config());
    }
    directory.setMaxSources(options.getSync().getMaxSources());
    directory.setV2LineInterval(options.getSync().getV2LineInterval());
    NetServerOptions serverOptions =
        new NetServerOptions()
            .setHost(options.getHost())
            .setPort(options.getPort())
            .setTcpNoDelay(true)
            .setReadIdleTimeout((int) options.getSync().getTrackerExpiry().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    server = vertx.createNetServer(serverOptions).connectHandler(this::accept);
    return server
        .listen()
        .compose(
            s -> {
              if (!LocalPorts.hold(s.actualPort())) {
                // Vert.x would share the socket with another of our servers instead of failing.
                return s.close()
                    .transform(ar -> Future.failedFuture("port " + s.actualPort() + " is taken"));
              }
              LOG.log(Level.INFO, "Waiting for connections on port " + s.actualPort());
              return replication
                  .start(context, options, new Remote())
                  .recover(
                      e -> {
                        LocalPorts.release(s.actualPort());
                        return s.close().transform(ar -> Future.failedFuture(e));
                      });
            });
  }

  @Override
  public Future<?> stop() {
    LocalPorts.release(server.actualPort());
    return replication.stop().eventually(server::close).andThen(ar -> directory.close());
  }

  /** The port the tracker listens on, once started. */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * The directory as of the last change the event loop has published (within one turn of the loop
   * after it): safe to read from any thread.
   */
  public TrackerSnapshot snapshot() {
    return snapshot;
  }

  /** How many peers are in the directory; see {@link #snapshot()}. */
  public int peerCount() {
    return snapshot.peerCount();
  }

  /** The directory line, without its {@code \n}; see {@link #snapshot()}. */
  public String directoryLine() {
    return snapshot.directoryLine();
  }

  /**
   * The directory may have changed: publish a snapshot once the current turn of the event loop is
   * over, so a storm of messages is published once, not once per message.
   */
  void directoryTouched() {
    if (!publishPending) {
      publishPending = true;
      context.runOnContext(
          v -> {
            publishPending = false;
            if (snapshot.version() != directory.version()
                || snapshot.peerCount() != directory.peerCount()) {
              snapshot =
                  new TrackerSnapshot(
                      directory.peerCount(),
                      directory.nameCount(),
                      directory.version(),
                      directory.encoded());
            }
          });
    }
  }

  /** A local peer joined, moved or advertised files: tell the other trackers, if any. */
  void localPeerChanged(long peerId) {
    if (replication != Replication.NONE) {
      replication.localPeerChanged(peerId, directory.record(peerId));
    }
  }

  void localPeerRemoved(long peerId) {
    replication.localPeerRemoved(peerId);
  }

  /** Other trackers' peers, kept apart from ours by their negative ids (ours count up from 0). */
  private final class Remote implements Replication.RemotePeers {
    @Override
    public void put(long id, PeerRecord peer) {
      checkRemote(id);
      directory.register(id, peer.ip(), peer.port());
      directory.replaceFiles(id, peer.files());
      directoryTouched();
    }

    @Override
    public void remove(long id) {
      checkRemote(id);
      directory.remove(id);
      directoryTouched();
    }

    private void checkRemote(long id) {
      if (id >= 0) {
        throw new IllegalArgumentException("a remote peer's id must be negative, got " + id);
      }
    }
  }

  private void accept(NetSocket socket) {
    new TrackerConnection(nextPeerId++, socket, directory, options.getSync(), this).start();
  }

  /**
   * A connection announced the address it serves files on; retires an older connection with the
   * same one.
   */
  void servedAddressKnown(TrackerConnection connection, String servedAddress, String previous) {
    if (previous != null) {
      byServedAddress.remove(previous, connection);
    }
    TrackerConnection stale = byServedAddress.put(servedAddress, connection);
    if (stale != null && stale != connection) {
      LOG.log(
          Level.INFO,
          "closing stale connection of " + servedAddress + ": the peer connected again");
      stale.close();
    }
  }

  void closed(TrackerConnection connection, String servedAddress) {
    if (servedAddress != null) {
      byServedAddress.remove(servedAddress, connection);
    }
  }
}
