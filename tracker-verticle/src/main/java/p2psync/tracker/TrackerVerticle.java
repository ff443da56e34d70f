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
  private final Directory directory = new Directory();

  /** Live connections by the {@code ip:port} they serve files on, to retire a peer's stale one. */
  private final Map<String, TrackerConnection> byServedAddress = new HashMap<>();

  private NetServer server;
  private long nextPeerId;

  /** What other threads may read: replaced, never changed, by the event loop. */
  private volatile TrackerSnapshot snapshot = TrackerSnapshot.EMPTY;

  private boolean publishPending;

  /** Deployed by name: reads {@link TrackerOptions} from the deployment config. */
  public TrackerVerticle() {}

  public TrackerVerticle(TrackerOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    if (options == null) {
      options = new TrackerOptions(config());
    }
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
              return Future.succeededFuture(s);
            });
  }

  @Override
  public Future<?> stop() {
    LocalPorts.release(server.actualPort());
    return server.close().andThen(ar -> directory.close());
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
