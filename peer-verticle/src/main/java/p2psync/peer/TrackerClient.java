package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;
import p2psync.common.SeedCodec.ListChanges;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaLine;
import p2psync.common.v2.V2Codec;
import p2psync.peer.delta.AdvertisedList;
import p2psync.peer.delta.DeltaClient;

/**
 * The peer's one persistent tracker connection: Init on connect, then a KeepAlive every interval. A
 * KeepAlive carries {@code files} again when the folder changed since it was last advertised (the
 * course's tracker reads {@code files} in any message). When the connection is lost the peer keeps
 * serving and reconnects with capped exponential backoff, sending Init again. Given more trackers
 * (nodes of one tracker cluster), each attempt after a loss or a failure goes to the next one in
 * order: a dead node costs one backoff step, not a wait until it is back.
 */
final class TrackerClient {
  private static final Logger LOG = System.getLogger(TrackerClient.class.getName());

  private final Vertx vertx;
  private final List<SocketAddress> trackers;
  private int current;
  private final SyncConfig config;
  private final int advertisedPort;

  /** The folder's entries, from a look at every file when given true, else maybe at the changes. */
  private final Function<Boolean, Future<List<FileEntry>>> scan;

  private final boolean v2;
  private final Consumer<Buffer> onDirectory;

  /** v2: the directory copy deltas apply to, and what the tracker is told of it; null: seed. */
  private final DeltaClient deltas;

  private final BiConsumer<Map<String, DirectoryEntry>, Set<String>> onDelta;
  private final NetClient client;

  private NetSocket socket;

  /** What the tracker holds of our list on this connection. */
  private final AdvertisedList advertised = new AdvertisedList();

  /**
   * The tracker of this connection sent a versioned line: it reads incremental advertisements (they
   * came with deltas, docs/protocol-v2.md).
   */
  private boolean trackerReadsChanges;

  /**
   * An update (a scan of the folder, then a message) is running. At most one runs at a time, and
   * one asked for meanwhile follows it ({@link #updateWanted}): each reads the whole folder, and a
   * peer downloading thousands of small files was asked for several a second (every landed batch
   * hashed, every burst the watcher saw), most of its CPU.
   */
  private boolean updating;

  private boolean updateWanted;

  /** The update wanted is a keepalive's or the tracker's (not to wait for {@link #quietUntil}). */
  private boolean updateWantedNow;

  /**
   * {@code System.nanoTime()} before which an update asked for by a change waits: {@link #SPACING}
   * times the last update's duration after it, so updates take at most a fifth of the time however
   * large the folder; never longer than the keepalive interval.
   */
  private long quietUntil;

  private long updateTimer = -1;

  private static final int SPACING = 4;

  /** Whether the folder is watched: then a keepalive rescans only every rescanInterval. */
  private BooleanSupplier watched = () -> false;

  /** {@code System.nanoTime()} of the start of the last whole scan that told the tracker. */
  private long lastScanStarted;

  /** The next update looks at every file (the first, and one every rescanInterval). */
  private boolean wholeWanted = true;

  private long keepAliveTimer = -1;
  private long reconnectTimer = -1;
  private int failedAttempts;
  private boolean stopped;

  /**
   * The tracker of this connection answered with a v2 line: v2 fields may be sent. Until then a v2
   * peer offers v2 ({@code "v": 2}) and sends seed entries only, so a seed tracker never sees one.
   */
  private boolean trackerSpeaksV2;

  TrackerClient(
      Vertx vertx,
      PeerOptions options,
      int advertisedPort,
      Function<Boolean, Future<List<FileEntry>>> scan,
      Consumer<Buffer> onDirectory,
      BiConsumer<Map<String, DirectoryEntry>, Set<String>> onDelta) {
    this.v2 = options.getProtocol() == 2;
    this.deltas = v2 ? new DeltaClient() : null;
    this.onDelta = onDelta;
    this.vertx = vertx;
    this.trackers = options.trackerAddresses();
    this.config = options.getSync();
    this.advertisedPort = advertisedPort;
    this.scan = scan;
    this.onDirectory = onDirectory;
    this.client =
        vertx.createNetClient(
            new NetClientOptions()
                .setConnectTimeout((int) config.getConnectTimeout().toMillis())
                .setTcpNoDelay(true));
  }

  void start() {
    connect();
  }

  /** The tracker it talks to, or tries next. */
  String currentTracker() {
    SocketAddress tracker = trackers.get(current);
    return tracker.host() + ":" + tracker.port();
  }

  /**
   * Tells the client whether the folder is watched: while it is, a keepalive scans the folder only
   * once {@code rescanInterval} has passed since the last scan, and is a bare KeepAlive otherwise.
   */
  void setWatched(BooleanSupplier watched) {
    this.watched = watched;
  }

  /** Sends the folder now (an Init if it changed) instead of at the next keepalive. */
  void advertiseNow() {
    update(false);
  }

  /** v2: the directory copy deltas apply to; null for a seed peer. */
  DeltaClient deltas() {
    return deltas;
  }

  /** Sends the whole folder again now (an Init), even if the tracker has seen it. */
  void readvertise() {
    advertised.forget();
    advertiseNow();
  }

  boolean isConnected() {
    return socket != null;
  }

  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(keepAliveTimer);
    vertx.cancelTimer(reconnectTimer);
    vertx.cancelTimer(updateTimer);
    return client.close();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    SocketAddress tracker = trackers.get(current);
    client
        .connect(tracker)
        .onSuccess(this::connected)
        .onFailure(
            e -> {
              LOG.log(
                  Level.WARNING,
                  "cannot reach the tracker at " + tracker + ": " + Failures.reason(e),
                  e);
              nextTracker();
              scheduleReconnect();
            });
  }

  private void connected(NetSocket connected) {
    if (stopped) {
      connected.close();
      return;
    }
    socket = connected;
    failedAttempts = 0;
    advertised.forget();
    trackerSpeaksV2 = false;
    trackerReadsChanges = false;
    LOG.log(Level.INFO, "connected to tracker " + trackers.get(current));
    RecordParser lines =
        RecordParser.newDelimited("\n", connected).maxRecordSize(config.getMaxLineBytes());
    lines.handler(
        line -> {
          if (v2 && !trackerSpeaksV2 && V2Codec.isV2Line(line)) {
            trackerSpeaksV2 = true;
            advertised.forget(); // the files again, now with their hashes
            update(true);
          }
          if (v2 && DeltaLine.isVersioned(line)) {
            trackerReadsChanges = true;
            onVersionedLine(connected, line);
          } else {
            onDirectory.accept(line);
          }
        });
    lines.exceptionHandler(
        e -> {
          LOG.log(Level.WARNING, "bad line from tracker, reconnecting: " + Failures.reason(e), e);
          connected.close();
        });
    connected.closeHandler(v -> disconnected(connected));
    connected.exceptionHandler(
        e -> LOG.log(Level.WARNING, "tracker connection error: " + Failures.reason(e), e));
    update(true);
    keepAliveTimer =
        vertx.setPeriodic(config.getKeepAliveInterval().toMillis(), t -> keepAliveTick(connected));
  }

  /**
   * A versioned line (a reply or a push): applied to the copy, and its changes handed on as a
   * directory's; a line that does not follow is refused and the whole directory asked for at once.
   */
  private void onVersionedLine(NetSocket connection, Buffer line) {
    Set<String> changed = deltas.apply(line);
    if (changed != null) {
      onDelta.accept(deltas.entries(), changed);
    } else if (deltas.inDoubt() && connection == socket) {
      connection.write(keepAlive()); // names no version: the whole directory comes back
    }
  }

  private void sendKeepAlive(NetSocket target) {
    target.write(v2 && trackerSpeaksV2 ? keepAlive() : SeedCodec.encodeKeepAlive(advertisedPort));
  }

  private String keepAlive() {
    return v2
        ? V2Codec.encodeKeepAlive(advertisedPort, deltas.field())
        : SeedCodec.encodeKeepAlive(advertisedPort);
  }

  /**
   * A keepalive interval passed: a scan and what it finds (an update), or, while the folder is
   * watched and was scanned less than {@code rescanInterval} ago, a bare KeepAlive: the watcher has
   * asked for an update after every change it saw, so there is nothing to find but what it missed,
   * and that is for the rescan. An idle peer's keepalives then cost the same whatever the size of
   * its folder.
   */
  private void keepAliveTick(NetSocket target) {
    if (target != socket) {
      return;
    }
    boolean rescanDue = System.nanoTime() - lastScanStarted >= config.getRescanInterval().toNanos();
    wholeWanted |= rescanDue;
    if (updating
        || updateTimer >= 0
        || !advertised.isKnown()
        || rescanDue
        || !watched.getAsBoolean()) {
      update(true); // (a running or waiting update tells the tracker soon enough)
    } else {
      sendKeepAlive(target);
    }
  }

  /**
   * Scans the folder and tells the tracker (an update), now or once the last one is over and, for
   * one asked for by a change ({@code now} false), once {@link #quietUntil} has passed; a keepalive
   * tick and the tracker's first v2 line ({@code now}) do not wait for the spacing.
   */
  private void update(boolean now) {
    if (socket == null) {
      return;
    }
    if (updating) {
      updateWanted = true;
      updateWantedNow |= now;
      return;
    }
    long wait = quietUntil - System.nanoTime();
    if (!now && wait > 0) {
      if (updateTimer < 0) {
        updateTimer =
            vertx.setTimer(
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)),
                t -> {
                  updateTimer = -1;
                  update(false);
                });
      }
      return;
    }
    vertx.cancelTimer(updateTimer); // this update covers the one it was waiting for
    updateTimer = -1;
    sendUpdate(socket);
  }

  /** Init (files) when the tracker has not seen the current folder, KeepAlive otherwise. */
  private void sendUpdate(NetSocket target) {
    updating = true;
    long started = System.nanoTime();
    boolean whole = wholeWanted;
    wholeWanted = false;
    if (whole) {
      lastScanStarted = started;
    }
    scan.apply(whole)
        .onComplete(
            ar -> {
              updating = false;
              long now = System.nanoTime();
              quietUntil =
                  now
                      + Math.min(
                          SPACING * (now - started), config.getKeepAliveInterval().toNanos());
              if (ar.failed()) {
                LOG.log(
                    Level.ERROR,
                    "cannot read the folder: " + Failures.reason(ar.cause()),
                    ar.cause());
              } else if (target == socket) { // else that connection is gone
                tell(target, ar.result());
              }
              if (updateWanted) {
                boolean wantedNow = updateWantedNow;
                updateWanted = false;
                updateWantedNow = false;
                update(wantedNow);
              }
            });
  }

  /**
   * Init (files) when the tracker has not seen the current folder, the changes when it reads them,
   * KeepAlive otherwise.
   */
  private void tell(NetSocket target, List<FileEntry> files) {
    if (advertised.isCurrent(files)) {
      sendKeepAlive(target);
      return;
    }
    ListChanges changes =
        v2 && trackerSpeaksV2 && trackerReadsChanges && advertised.isKnown()
            ? advertised.changesTo(files)
            : null;
    if (changes != null && changes.changed().size() + changes.removed().size() < files.size()) {
      target.write(
          V2Codec.encodeChanges(
              advertisedPort, deltas.field(), changes.changed(), changes.removed()));
      advertised.sentChanges(files);
      LOG.log(
          Level.DEBUG,
          () ->
              "told the tracker of "
                  + changes.changed().size()
                  + " changed and "
                  + changes.removed().size()
                  + " removed files");
      return;
    }
    // "v": 2 costs a seed tracker nothing (it reads port and files only) and tells ours to answer
    // with v2 lines; hashes and sizes only once it has (trackerSpeaksV2)
    target.write(
        !v2
            ? SeedCodec.encodeInit(advertisedPort, files)
            : trackerSpeaksV2
                ? V2Codec.encodeInit(advertisedPort, deltas.field(), files)
                : V2Codec.encodeOffer(advertisedPort, deltas.field(), files));
    advertised.sent(files);
    LOG.log(Level.DEBUG, () -> "sent the tracker our " + files.size() + " files");
  }

  private void disconnected(NetSocket closed) {
    if (closed != socket) {
      return;
    }
    socket = null;
    vertx.cancelTimer(keepAliveTimer);
    if (!stopped) {
      LOG.log(Level.WARNING, "lost the tracker connection; still serving files, reconnecting");
      nextTracker();
      scheduleReconnect();
    }
  }

  /** The next tracker in order (the same one when there is only one). */
  private void nextTracker() {
    current = (current + 1) % trackers.size();
  }

  private void scheduleReconnect() {
    if (stopped) {
      return;
    }
    long min = config.getReconnectBackoffMin().toMillis();
    long max = config.getReconnectBackoffMax().toMillis();
    long delay = Math.min(max, min << Math.min(failedAttempts, 30));
    failedAttempts++;
    reconnectTimer = vertx.setTimer(delay, t -> connect());
  }
}
