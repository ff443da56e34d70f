package p2psync.tracker;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import p2psync.common.FileEntry;
import p2psync.common.LocalPorts;
import p2psync.common.OnContext;
import p2psync.tracker.delta.DirectoryPush;
import p2psync.tracker.web.TrackerWeb;

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

  /** Live connections by peer id, for the status page. */
  private final Map<Long, TrackerConnection> connections = new HashMap<>();

  /** The latest events for the status page, oldest first, at most {@link #MAX_EVENTS}. */
  private final ArrayDeque<TrackerStatus.Event> events = new ArrayDeque<>();

  private static final int MAX_EVENTS = 50;

  private final TrackerMetrics metrics = new TrackerMetrics(this::snapshot);
  private TrackerWeb web;

  private NetServer server;
  private long nextPeerId;

  /** What other threads may read: replaced, never changed, by the event loop. */
  private volatile TrackerSnapshot snapshot = TrackerSnapshot.EMPTY;

  private boolean publishPending;

  /** Versions, deltas and pushes for the v2 peers that ask for them. */
  private DirectoryPush directoryPush;

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
    directoryPush =
        new DirectoryPush(
            vertx,
            options.getSync(),
            new DirectoryPush.Members() {
              @Override
              public void track() {
                directory.trackV2Changes();
              }

              @Override
              public boolean changed() {
                return directory.hasV2Changes();
              }

              @Override
              public Map<String, byte[]> drain() {
                return directory.drainV2Changes();
              }
            });
    directory.setMaxClockSkew(options.getSync().getMaxClockSkew());
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
                      })
                  .compose(
                      v ->
                          startWeb()
                              .recover(
                                  e -> {
                                    LocalPorts.release(s.actualPort());
                                    return replication
                                        .stop()
                                        .eventually(s::close)
                                        .transform(ar -> Future.failedFuture(e));
                                  }));
            });
  }

  /**
   * The status API, /metrics and the dashboard, when {@code httpPort} is set: on this verticle's
   * context, so their handlers read the directory on its event loop.
   */
  private Future<?> startWeb() {
    if (!options.getHttp().isEnabled()) {
      return Future.succeededFuture();
    }
    web = new TrackerWeb(vertx, this, metrics.registry, options.getSync());
    return web.listen(options.getHttp());
  }

  @Override
  public Future<?> stop() {
    LocalPorts.release(server.actualPort());
    Future<?> webClosed = web == null ? Future.succeededFuture() : web.close();
    return replication
        .stop()
        .eventually(() -> webClosed)
        .eventually(server::close)
        // on the tracker's loop, which owns the directory: the server's close completes on the
        // acceptor thread, and releasing the lines there raced a connection's clean-up on the
        // loop (a line released twice, seen once in a test's tear-down)
        .eventually(
            () ->
                OnContext.call(
                    context,
                    () -> {
                      directoryPush.close();
                      directory.close();
                      return null;
                    }));
  }

  /** The port of the HTTP endpoint, once started; -1 when it is off. */
  public int httpPort() {
    return web == null ? -1 : web.port();
  }

  /** This tracker's {@code p2psync_tracker_*} meters. */
  public PrometheusMeterRegistry meters() {
    return metrics.registry;
  }

  /** What a status page shows, built on the tracker's event loop: callable from any thread. */
  public Future<TrackerStatus> status() {
    return OnContext.call(context, this::statusNow);
  }

  /** {@link #status()} on the event loop. */
  TrackerStatus statusNow() {
    Map<String, Long> newest = new HashMap<>();
    List<TrackerStatus.NameStatus> names = directory.nameStatuses();
    for (TrackerStatus.NameStatus name : names) {
      newest.put(name.name(), name.mtime());
    }
    List<TrackerStatus.PeerStatus> peers = new ArrayList<>();
    for (TrackerStatus.Holding holding : directory.holdings()) {
      int current = 0;
      for (FileEntry file : holding.files()) {
        Long best = newest.get(file.name());
        if (best != null && file.mtime() >= best) {
          current++;
        }
      }
      TrackerConnection connection = connections.get(holding.id());
      peers.add(
          new TrackerStatus.PeerStatus(
              holding.ip() + ":" + holding.port(),
              "seed",
              connection != null,
              connection == null ? 0 : connection.connectedAt(),
              connection == null ? 0 : connection.lastMessageAt(),
              names.size() - current,
              holding.files()));
    }
    peers.sort(Comparator.comparing(TrackerStatus.PeerStatus::address));
    return new TrackerStatus(
        List.copyOf(peers),
        names,
        replication.nodes(),
        List.copyOf(events),
        directory.version(),
        directory.encodes());
  }

  /** Something a status page shows in its recent events. */
  void event(String text) {
    if (events.size() == MAX_EVENTS) {
      events.removeFirst();
    }
    events.addLast(new TrackerStatus.Event(System.currentTimeMillis(), text));
  }

  void messageHandled(boolean init, long nanos) {
    (init ? metrics.init : metrics.keepAlive).record(nanos, TimeUnit.NANOSECONDS);
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
    directoryPush.touched();
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
                      directory.encoded(),
                      directory.encodes());
            }
          });
    }
  }

  DirectoryPush directoryPush() {
    return directoryPush;
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
    TrackerConnection connection =
        new TrackerConnection(nextPeerId++, socket, directory, options.getSync(), this);
    connections.put(connection.peerId(), connection);
    connection.start();
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
      stale.close("replaced by a newer connection serving the same address");
    }
  }

  void closed(TrackerConnection connection, String servedAddress) {
    connections.remove(connection.peerId());
    if (servedAddress != null) {
      byServedAddress.remove(servedAddress, connection);
    }
  }
}
