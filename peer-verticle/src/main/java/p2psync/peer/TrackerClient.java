package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import p2psync.common.SeedCodec;
import p2psync.common.SyncConfig;

/**
 * The peer's one persistent tracker connection: Init on connect, then a KeepAlive every interval. A
 * KeepAlive carries {@code files} again when the folder changed since it was last advertised (the
 * course's tracker reads {@code files} in any message). When the connection is lost the peer keeps
 * serving and reconnects with capped exponential backoff, sending Init again.
 */
final class TrackerClient {
  private static final Logger LOG = System.getLogger(TrackerClient.class.getName());

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final SyncConfig config;
  private final int advertisedPort;
  private final Supplier<Future<Map<String, Long>>> scan;
  private final Consumer<Buffer> onDirectory;
  private final NetClient client;

  private NetSocket socket;
  private Map<String, Long> advertised;
  private long keepAliveTimer = -1;
  private long reconnectTimer = -1;
  private int failedAttempts;
  private boolean stopped;

  TrackerClient(
      Vertx vertx,
      PeerOptions options,
      int advertisedPort,
      Supplier<Future<Map<String, Long>>> scan,
      Consumer<Buffer> onDirectory) {
    this.vertx = vertx;
    this.host = options.getTrackerHost();
    this.port = options.getTrackerPort();
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

  boolean isConnected() {
    return socket != null;
  }

  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(keepAliveTimer);
    vertx.cancelTimer(reconnectTimer);
    return client.close();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    client
        .connect(port, host)
        .onSuccess(this::connected)
        .onFailure(
            e -> {
              LOG.log(
                  Level.WARNING,
                  "cannot reach the tracker at " + host + ":" + port + ": " + Failures.reason(e),
                  e);
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
    advertised = null;
    LOG.log(Level.INFO, "connected to tracker " + host + ":" + port);
    RecordParser lines =
        RecordParser.newDelimited("\n", connected).maxRecordSize(config.getMaxLineBytes());
    lines.handler(onDirectory::accept);
    lines.exceptionHandler(
        e -> {
          LOG.log(Level.WARNING, "bad line from tracker, reconnecting: " + Failures.reason(e), e);
          connected.close();
        });
    connected.closeHandler(v -> disconnected(connected));
    connected.exceptionHandler(
        e -> LOG.log(Level.WARNING, "tracker connection error: " + Failures.reason(e), e));
    sendUpdate(connected);
    keepAliveTimer =
        vertx.setPeriodic(config.getKeepAliveInterval().toMillis(), t -> sendUpdate(connected));
  }

  /** Init (files) when the tracker has not seen the current folder, KeepAlive otherwise. */
  private void sendUpdate(NetSocket target) {
    scan.get()
        .onSuccess(
            files -> {
              if (target != socket) {
                return; // that connection is gone
              }
              if (files.equals(advertised)) {
                target.write(SeedCodec.encodeKeepAlive(advertisedPort));
              } else {
                target.write(SeedCodec.encodeInit(advertisedPort, LocalFolder.entries(files)));
                advertised = files;
                LOG.log(Level.DEBUG, () -> "sent the tracker our " + files.size() + " files");
              }
            })
        .onFailure(e -> LOG.log(Level.ERROR, "cannot read the folder: " + Failures.reason(e), e));
  }

  private void disconnected(NetSocket closed) {
    if (closed != socket) {
      return;
    }
    socket = null;
    vertx.cancelTimer(keepAliveTimer);
    if (!stopped) {
      LOG.log(Level.WARNING, "lost the tracker connection; still serving files, reconnecting");
      scheduleReconnect();
    }
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
