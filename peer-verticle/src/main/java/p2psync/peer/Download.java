package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileNames;
import p2psync.common.FileResponseDecoder;
import p2psync.common.LateEndGuard;
import p2psync.common.ProtocolException;
import p2psync.common.SyncConfig;

/**
 * One file pulled from one peer: {@code name\n} out, {@code Content-Length} and body in, streamed
 * with backpressure into a hidden temp file in the folder, which is fsynced, given the advertised
 * mtime and renamed over the target only when exactly the announced bytes arrived. Any failure
 * deletes the temp file; the real name never shows a partial file.
 */
final class Download implements FileResponseDecoder.Listener {

  /** Where the transfer is. */
  enum State {
    OPENING,
    CONNECTING,
    RECEIVING,
    COMMITTING,
    DONE,
    FAILED
  }

  /** How a finished transfer went. */
  record Result(String name, DirectoryEntry source, long bytes) {}

  private final Vertx vertx;
  private final NetClient client;
  private final LocalFolder folder;
  private final SyncConfig config;
  private final String name;
  private final DirectoryEntry source;
  private final Path tempPath;
  private final Promise<Result> result = Promise.promise();
  private final FileResponseDecoder decoder = new FileResponseDecoder(this);

  private State state = State.OPENING;
  private AsyncFile file;
  private boolean fileClosed;
  private NetSocket socket;
  private long expected = -1;
  private long received;
  private long lastActivityNanos;
  private long idleTimer = -1;
  private long transferTimer = -1;
  private LateEndGuard endGuard;

  Download(Vertx vertx, NetClient client, LocalFolder folder, SyncConfig config, String name, DirectoryEntry source) {
    this.vertx = vertx;
    this.client = client;
    this.folder = folder;
    this.config = config;
    this.name = name;
    this.source = source;
    this.tempPath = folder.root().resolve(FileNames.newTempName());
  }

  /** Starts the transfer; the future fails with the reason when the file could not be had. */
  Future<Result> start() {
    transferTimer = vertx.setTimer(config.getTransferTimeout().toMillis(),
        t -> fail("transfer took longer than " + config.getTransferTimeout()));
    vertx.fileSystem()
        .open(tempPath.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
        .onFailure(e -> fail("cannot create a temp file in " + folder.root() + ": " + e.getMessage()))
        .onSuccess(this::connect);
    return result.future();
  }

  private void connect(AsyncFile opened) {
    file = opened;
    if (state == State.FAILED) {
      discardTemp();
      return;
    }
    state = State.CONNECTING;
    client.connect(source.port(), source.ip())
        .onFailure(e -> fail("cannot connect: " + e.getMessage()))
        .onSuccess(this::request);
  }

  private void request(NetSocket connected) {
    socket = connected;
    if (state == State.FAILED) {
      socket.close();
      return;
    }
    state = State.RECEIVING;
    touch();
    armIdleTimer(config.getTransferIdleTimeout().toMillis());
    socket.handler(this::receive);
    // Not closeHandler: it fires at once on close, while a paused socket still holds unread data.
    endGuard = new LateEndGuard(vertx, this::ended);
    socket.endHandler(v -> endGuard.endSignalled());
    socket.exceptionHandler(e -> fail("connection error: " + e.getMessage()));
    socket.write(Buffer.buffer(name + "\n"));
  }

  private void receive(Buffer data) {
    if (state != State.RECEIVING) {
      return;
    }
    touch();
    endGuard.dataReceived();
    try {
      decoder.feed(data);
    } catch (ProtocolException e) {
      fail(e.getMessage());
    }
  }

  @Override
  public void onHeader(long length) {
    expected = length;
  }

  @Override
  public void onBody(Buffer chunk) {
    received += chunk.length();
    file.write(chunk).onFailure(e -> fail("cannot write " + tempPath.getFileName() + ": " + e.getMessage()));
    if (file.writeQueueFull()) {
      socket.pause();
      endGuard.paused();
      file.drainHandler(v -> {
        if (state == State.RECEIVING) {
          socket.resume();
          endGuard.resumed();
        }
      });
    }
  }

  @Override
  public void onComplete() {
    if (state != State.RECEIVING) {
      return;
    }
    state = State.COMMITTING;
    cancelTimers();
    socket.handler(null);
    socket.close();
    long mtimeMillis = Math.multiplyExact(source.mtime(), 1000L);
    file.flush() // fsync, before the rename makes the file visible
        .compose(v -> closeFile())
        .compose(v -> vertx.executeBlocking(() -> commit(mtimeMillis), false))
        .onSuccess(v -> {
          state = State.DONE;
          result.complete(new Result(name, source, received));
        })
        .onFailure(e -> fail("cannot store the file: " + e.getMessage()));
  }

  /** Blocking: sets the mtime and renames the temp file over the target, unless the target got newer meanwhile. */
  private Void commit(long mtimeMillis) throws IOException {
    Path target = folder.resolve(name);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(name + " is a folder or a link here, which is never synced; leaving it alone");
      }
      long localMtime = Files.getLastModifiedTime(target, LinkOption.NOFOLLOW_LINKS).toMillis();
      if (Math.floorDiv(localMtime, 1000L) >= source.mtime()) {
        throw new IOException("the local copy changed meanwhile and is as new, keeping it");
      }
    }
    long written = Files.size(tempPath);
    if (written != expected) {
      throw new IOException("wrote " + written + " of " + expected + " bytes");
    }
    Files.setLastModifiedTime(tempPath, FileTime.from(mtimeMillis, TimeUnit.MILLISECONDS));
    // The folder itself is not fsynced after the rename: a crash may lose the new name (the file is
    // fetched again), never show a torn file; an fsync per file would halve small-file throughput.
    Files.move(tempPath, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return null;
  }

  private void ended() {
    if (state != State.RECEIVING) {
      return;
    }
    try {
      decoder.end();
    } catch (ProtocolException e) {
      fail(e.getMessage());
    }
  }

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  /** One timer per idle period, re-armed lazily, rather than one per received chunk. */
  private void armIdleTimer(long delayMillis) {
    idleTimer = vertx.setTimer(Math.max(1, delayMillis), t -> {
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
      long limit = config.getTransferIdleTimeout().toMillis();
      if (state != State.RECEIVING) {
        return;
      }
      if (idleMillis >= limit) {
        fail("no data for " + config.getTransferIdleTimeout() + " (" + received + " of "
            + (expected < 0 ? "?" : expected) + " bytes)");
      } else {
        armIdleTimer(limit - idleMillis);
      }
    });
  }

  private void cancelTimers() {
    if (endGuard != null) {
      endGuard.cancel();
    }
    vertx.cancelTimer(idleTimer);
    vertx.cancelTimer(transferTimer);
  }

  private void fail(String reason) {
    if (state == State.DONE || state == State.FAILED) {
      return;
    }
    state = State.FAILED;
    cancelTimers();
    if (socket != null) {
      socket.close();
    }
    result.tryFail(reason);
    discardTemp();
  }

  private void discardTemp() {
    if (file == null) {
      return; // not opened yet: connect() deletes it when the open completes
    }
    closeFile().eventually(() -> vertx.fileSystem().delete(tempPath.toString()));
  }

  /** Closes the temp file once; AsyncFile.close() throws when called twice. */
  private Future<Void> closeFile() {
    if (fileClosed) {
      return Future.succeededFuture();
    }
    fileClosed = true;
    return file.close().recover(e -> Future.succeededFuture());
  }
}
