package p2psync.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;
import p2psync.common.SeedCodec.PeerMessage;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaRequest;
import p2psync.tracker.delta.DirectoryPush;

/**
 * One peer's tracker connection: reads its lines, updates the directory, answers each with the
 * directory.
 */
final class TrackerConnection {
  private static final Logger LOG = System.getLogger(TrackerConnection.class.getName());

  private final long peerId;
  private final NetSocket socket;
  private final Directory directory;
  private final TrackerVerticle tracker;
  private final RecordParser lines;
  private final String remote;
  private String servedAddress;
  private boolean closed;
  private boolean initSeen;
  private final long connectedAt = System.currentTimeMillis();
  private long lastMessageAt;

  /** Said {@code "v": 2}: gets v2 lines from then on (a seed peer never says it). */
  private boolean v2;

  private final long expiryMillis;

  /** Why we closed the connection, for the log line; null: the peer closed it or went silent. */
  private String closeReason;

  /** Asked for deltas (a v2 message with {@code "delta"}): gets versioned lines from then on. */
  private DirectoryPush.Subscription deltas;

  TrackerConnection(
      long peerId,
      NetSocket socket,
      Directory directory,
      SyncConfig config,
      TrackerVerticle tracker) {
    this.peerId = peerId;
    this.socket = socket;
    this.directory = directory;
    this.tracker = tracker;
    this.remote = socket.remoteAddress().hostAddress() + ":" + socket.remoteAddress().port();
    this.lines = RecordParser.newDelimited("\n", socket).maxRecordSize(config.getMaxLineBytes());
    this.expiryMillis = config.getTrackerExpiry().toMillis();
  }

  void start() {
    LOG.log(Level.INFO, "Client connected with " + remote);
    lines.handler(this::handleLine);
    lines.exceptionHandler(this::fail);
    // The end of the stream: the peer closed, or Vert.x's read-idle timeout did (cleanUp tells).
    lines.endHandler(v -> close(null));
    socket.exceptionHandler(this::fail);
    socket.closeHandler(v -> cleanUp());
  }

  void close(String reason) {
    if (!closed) {
      closed = true;
      closeReason = reason;
      socket.close();
    }
  }

  long peerId() {
    return peerId;
  }

  long connectedAt() {
    return connectedAt;
  }

  long lastMessageAt() {
    return lastMessageAt;
  }

  private void handleLine(Buffer line) {
    if (closed) {
      return;
    }
    long started = System.nanoTime();
    lastMessageAt = System.currentTimeMillis();
    boolean init = !initSeen;
    initSeen = true;
    handle(line);
    tracker.messageHandled(init, System.nanoTime() - started);
  }

  private void handle(Buffer line) {
    PeerMessage message;
    try {
      message = SeedCodec.decodePeerMessage(line);
    } catch (ProtocolException e) {
      fail(e);
      return;
    }
    if (message.port() == null) {
      return; // the course's tracker ignores such messages, and so do we
    }
    if (message.version() == 2 && !v2) {
      v2 = true;
      LOG.log(Level.DEBUG, () -> remote + " speaks v2");
    }
    String ip = socket.remoteAddress().hostAddress();
    String address = ip + ":" + message.port();
    boolean moved = !address.equals(servedAddress);
    if (moved) {
      tracker.event(
          servedAddress == null
              ? "peer " + address + " joined"
              : "peer " + servedAddress + " now serves on " + address);
      directory.register(peerId, ip, message.port());
      tracker.servedAddressKnown(this, address, servedAddress);
      servedAddress = address;
      LOG.log(Level.INFO, "client server " + address);
    }
    if (message.hasFiles()) {
      if (!moved) {
        tracker.event("peer " + address + " advertised " + message.files().size() + " names");
      }
      directory.replaceFiles(peerId, message.files());
    } else if (message.hasChanges()) {
      tracker.event(
          "peer "
              + address
              + " changed "
              + (message.changes().changed().size() + message.changes().removed().size())
              + " names");
      directory.changeFiles(peerId, message.changes());
    }
    if (moved || message.hasFiles() || message.hasChanges()) {
      tracker.localPeerChanged(
          peerId); // a bare KeepAlive changes nothing worth telling other trackers
    }
    tracker.directoryTouched();
    if (!message.rejectedNames().isEmpty()) {
      LOG.log(
          Level.WARNING,
          remote + " advertised names that are never synced, ignored: " + message.rejectedNames());
    }
    // One line in memory for all replies. The channel gets a view it cannot release, and we hold a
    // reference of our own for as long as the write runs, released exactly once when it completes,
    // however it ends. (Handing the channel a retained duplicate relied on every path through
    // Vert.x and Netty releasing it exactly once; a write on a socket closing under it did not,
    // and the line was freed while the directory still held it.)
    DeltaRequest delta = message.deltaRequest();
    if (delta != null && deltas == null) {
      deltas = tracker.directoryPush().subscribe(this::write);
    }
    write(
        deltas != null
            ? tracker.directoryPush().answer(deltas, delta)
            : v2 ? directory.wireLineV2() : directory.wireLine(),
        false);
    if (socket.writeQueueFull()) {
      // A peer that sends faster than it reads waits for its replies: memory stays bounded.
      lines.pause();
      socket.drainHandler(v -> lines.resume());
    }
  }

  /**
   * Writes a shared line (a directory's or a push's). A push is skipped when the peer does not read
   * fast enough: its next reply or push catches up from the version it was last sent.
   */
  private boolean write(ByteBuf line, boolean pushed) {
    if (closed || pushed && socket.writeQueueFull()) {
      return false;
    }
    ByteBuf reply = line.retain();
    ((NetSocketInternal) socket)
        .writeMessage(Unpooled.unreleasableBuffer(reply.duplicate()))
        .onComplete(ar -> reply.release());
    return true;
  }

  private void fail(Throwable cause) {
    if (!closed) {
      // The reason is the whole story for protocol errors; anything else gets its stack at debug.
      LOG.log(Level.WARNING, "closing connection of " + remote + ": " + cause.getMessage());
      if (!(cause instanceof ProtocolException)) {
        LOG.log(Level.DEBUG, "connection of " + remote + " failed", cause);
      }
      close(cause.getMessage());
    }
  }

  private void cleanUp() {
    if (closeReason == null) {
      // Vert.x's read-idle timeout closes the socket without telling us; silence that long is it.
      long silentFor = System.currentTimeMillis() - Math.max(connectedAt, lastMessageAt);
      closeReason =
          silentFor >= expiryMillis
              ? "silent for " + silentFor + " ms (trackerExpiry " + expiryMillis + " ms)"
              : "closed by the peer";
    }
    closed = true;
    tracker.directoryPush().unsubscribe(deltas);
    directory.remove(peerId);
    if (servedAddress != null) {
      tracker.event("peer " + servedAddress + " left");
      tracker.localPeerRemoved(peerId);
    }
    tracker.closed(this, servedAddress);
    tracker.directoryTouched();
    LOG.log(
        Level.INFO,
        "Client disconnected "
            + remote
            + (servedAddress == null ? "" : " (serving " + servedAddress + ")")
            + ": "
            + closeReason);
  }
}
