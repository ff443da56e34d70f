package p2psync.peer;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileNames;
import p2psync.common.FileResponseDecoder;
import p2psync.common.ProtocolException;
import p2psync.common.SyncConfig;
import p2psync.common.v2.Sha256;
import p2psync.common.v2.V2Codec;
import p2psync.peer.receive.FileSink;
import p2psync.peer.receive.IdleTimeout;
import p2psync.peer.receive.Pipeline;
import p2psync.peer.sync.Displacer;
import p2psync.peer.v2.ContentMismatch;
import p2psync.peer.v2.Partial;

/**
 * One file pulled from one peer: {@code name\n} out, {@code Content-Length} and body in, streamed
 * with backpressure into a hidden temp file in the folder, which is fsynced, given the advertised
 * mtime and renamed over the target only when exactly the announced bytes arrived. The socket's own
 * buffers go to a {@link FileSink}, which writes (and for v2 hashes) them on a writer thread: the
 * event loop neither copies nor hashes the body. Any failure deletes the temp file, and only then
 * fails the result, so whoever waits for it (a stopping peer) finds the folder clean; the real name
 * never shows a partial file. The first failure is kept, with its cause, and says what was being
 * done.
 */
final class Download implements FileResponseDecoder.Listener, Pipeline.Response {
  private static final Logger LOG = System.getLogger(Download.class.getName());

  /** Where the transfer is. */
  enum State {
    OPENING,
    /** The temp file is open; its request is sent (or about to be) and its answer not due yet. */
    WAITING,
    RECEIVING,
    /** The last byte came: the writer writes what is queued, forces the file and (v2) hashes. */
    FINISHING,
    COMMITTING,
    DONE,
    FAILED
  }

  /**
   * How a finished transfer went; {@code sha256} is the hash of the bytes received (verified, for a
   * v2 transfer), or null for a seed peer's seed transfer.
   */
  record Result(String name, DirectoryEntry source, long bytes, String sha256) {}

  /**
   * Body bytes queued for the writer above which the socket stops being read, so memory stays
   * bounded whatever the disk does. 8 MiB, not 1: with reads of up to 1 MiB (a large body) a 1 MiB
   * bound paused and resumed the socket at nearly every read, and a v2 body waits for its hash lane
   * too (bench transfer 1 GiB, alternating: v2 872 -> 1,124-1,204 MB/s, seed 1,427 -> 1,624 MB/s;
   * 16 MiB was no faster). A small answer never comes near it.
   */
  static final long WRITE_QUEUE_BYTES = 8L << 20;

  private final Vertx vertx;
  private final Executor writers;

  /** The connection its request goes on, maybe with other downloads' (pipelined v2 requests). */
  private final Pipeline link;

  private final LocalFolder folder;
  private final SyncConfig config;
  private final String name;
  private final DirectoryEntry source;
  private final Path tempPath;
  private final Promise<Result> result = Promise.promise();
  private final FileResponseDecoder decoder = new FileResponseDecoder(this);

  /**
   * The bytes' SHA-256 as they stream in. A v2 transfer (the source has a v2 part) must be exactly
   * the advertised version before anything is committed; a seed transfer to a v2 peer is hashed
   * too, so the peer knows what it fetched without reading the file again (a hashing run per batch
   * of landed files, each followed by a whole advertisement, was most of a v2 peer's work catching
   * up from seed sources). Null for a seed peer's seed transfer.
   */
  private final MessageDigest digest;

  /** A v2 transfer: the source has a v2 part (then {@link #digest} is never null). */
  private final boolean v2;

  /** The prefix an earlier attempt left (v2 only), or null: this attempt asks from its end. */
  private final Partial resumeFrom;

  /** Bytes already in the temp file when this attempt started. */
  private final long offset;

  /** A write to the temp file failed: its bytes cannot be trusted for a resume. */
  private boolean writeFailed;

  private boolean bodyComplete;

  private State state = State.OPENING;

  /** v2 sync: moves a local file out of the way before the rename; null: the seed rule. */
  private Displacer displacer;

  /** The temp file's open is in flight: its completion, not fail(), then cleans up. */
  private boolean opening;

  private FileSink sink;
  private Future<Long> sinkClosed;

  /** The buffer being fed to the decoder, whose body slices go to the writer without a copy. */
  private ByteBuf reading;

  private Throwable failure;

  private long expected = -1;
  private long received;
  private final long startedAt = System.currentTimeMillis();
  private int tenthsLogged = -1; // the first chunk is logged too
  private final IdleTimeout idle;
  private long transferTimer = -1;

  Download(
      Vertx vertx,
      Executor writers,
      Pipeline link,
      LocalFolder folder,
      SyncConfig config,
      String name,
      DirectoryEntry source,
      Partial resumeFrom,
      boolean hashSeedTransfers) {
    this.vertx = vertx;
    this.writers = writers;
    this.link = link;
    this.folder = folder;
    this.config = config;
    this.name = name;
    this.source = source;
    this.resumeFrom = source.v2() == null ? null : resumeFrom;
    this.offset = this.resumeFrom == null ? 0 : this.resumeFrom.length();
    this.tempPath =
        this.resumeFrom == null
            ? folder.root().resolve(FileNames.newTempName())
            : this.resumeFrom.path();
    this.v2 = source.v2() != null;
    this.digest =
        !v2
            ? hashSeedTransfers ? Sha256.newDigest() : null
            : this.resumeFrom == null ? Sha256.newDigest() : this.resumeFrom.digest();
    this.idle =
        new IdleTimeout(
            vertx,
            config.getTransferIdleTimeout().toMillis(),
            () -> {
              if (state == State.RECEIVING) {
                fail(
                    new IOException("no data for " + config.getTransferIdleTimeout() + progress()));
              }
            });
  }

  void setDisplacer(Displacer displacer) {
    this.displacer = displacer;
  }

  /** Where it stands, for a status page. */
  PeerStatus.Transfer progressNow() {
    return transfer("running", null);
  }

  /** How it ended (null: it did not fail), for a status page. */
  PeerStatus.Transfer ended(Throwable failure) {
    return failure == null ? transfer("done", null) : transfer("failed", Failures.reason(failure));
  }

  private PeerStatus.Transfer transfer(String state, String reason) {
    return new PeerStatus.Transfer(
        name,
        source.address(),
        received,
        expected,
        startedAt,
        System.currentTimeMillis() - startedAt,
        state,
        reason);
  }

  long received() {
    return received;
  }

  /**
   * Starts the transfer; the future fails, once the temp file is gone, with the reason the file
   * could not be had.
   */
  Future<Result> start() {
    transferTimer =
        vertx.setTimer(
            config.getTransferTimeout().toMillis(),
            t ->
                fail(
                    new IOException(
                        "transfer took longer than " + config.getTransferTimeout() + progress())));
    opening = true;
    FileSink.open(vertx.getOrCreateContext(), writers, tempPath, offset, digest, WRITE_QUEUE_BYTES)
        .onComplete(
            opened -> {
              opening = false;
              if (opened.failed()) {
                fail(
                    Failures.because(
                        "cannot create a temp file in " + folder.root(), opened.cause()));
                return;
              }
              sink =
                  opened
                      .result()
                      .resumeHandler(this::writerCaughtUp)
                      .failureHandler(this::writeFailed);
              if (state == State.FAILED) {
                settle(); // stopped or timed out while the file was being created
              } else {
                state = State.WAITING;
                link.ready(this);
              }
            });
    return result.future();
  }

  /**
   * Stops the transfer because the peer stops; completes once the temp file is closed and either
   * deleted or (v2, some bytes in) handed to the Downloader as a kept prefix, which it moves out of
   * the folder. A transfer already committing is let finish: that takes a rename, and leaves a
   * whole file or none.
   */
  Future<Void> stop() {
    if (state != State.COMMITTING) {
      fail(new IOException("the peer is stopping" + progress()));
    }
    return result.future().transform(ar -> Future.succeededFuture());
  }

  @Override
  public Buffer requestLine(boolean more) {
    LOG.log(Level.DEBUG, () -> "requesting " + name + " from " + source.address());
    return !v2
        ? Buffer.buffer(name + "\n")
        : V2Codec.encodeRequest(new V2Codec.Request(name, source.v2().sha256(), offset, more));
  }

  @Override
  public void begin() {
    if (state != State.WAITING) {
      return;
    }
    state = State.RECEIVING;
    idle.start();
  }

  @Override
  public int receive(ByteBuf data, int from) {
    if (state != State.RECEIVING) {
      return data.readableBytes();
    }
    idle.touch();
    reading = data.slice(); // index 0 is the first readable byte, as for the decoder's view
    try {
      return decoder.feed(BufferInternal.buffer(reading), from); // a view, not a copy
    } catch (ProtocolException e) {
      fail(Failures.because("bad response from " + source.address(), e));
      return data.readableBytes();
    } finally {
      reading = null;
    }
  }

  @Override
  public void failed(Throwable cause) {
    if (cause instanceof Pipeline.NotAnswered) {
      fail(cause);
    } else if (state == State.RECEIVING) {
      fail(Failures.because("connection error" + progress(), cause));
    } else {
      fail(Failures.because("cannot connect to " + source.address(), cause));
    }
  }

  @Override
  public void onHeader(long length) {
    expected = length;
    if (v2 && length != source.v2().size() - offset) {
      fail(
          new ContentMismatch(
              source.address()
                  + " announced "
                  + length
                  + " bytes of "
                  + name
                  + " from byte "
                  + offset
                  + ", the version asked for has "
                  + source.v2().size(),
              true));
      return;
    }
    LOG.log(Level.DEBUG, () -> name + " from " + source.address() + ": Content-Length " + length);
    link.bodyAnnounced(length);
  }

  @Override
  public void onBody(Buffer data, int from, int to) {
    if (state != State.RECEIVING) {
      return;
    }
    received += to - from;
    logProgress();
    // The writer owns a reference to exactly the body's bytes of the socket's buffer.
    if (sink.write(reading.retainedSlice(from, to - from))) {
      link.pause(this);
    }
  }

  /** The writer's queue fell below its bound: read the socket again. */
  private void writerCaughtUp() {
    if (state == State.RECEIVING) {
      link.resume(this);
    }
  }

  /** A write failed: nothing after it is written, and the prefix cannot be kept. */
  private void writeFailed(Throwable e) {
    writeFailed = true;
    if (state == State.RECEIVING || state == State.FINISHING) {
      fail(Failures.because("cannot write " + tempPath.getFileName(), e));
    }
  }

  /**
   * A debug line for the first chunk and each tenth of the body: how far a slow or stuck transfer
   * got.
   */
  private void logProgress() {
    int tenths = expected <= 0 ? 10 : (int) (received * 10 / expected);
    if (tenths > tenthsLogged) {
      tenthsLogged = tenths;
      LOG.log(Level.DEBUG, () -> name + " from " + source.address() + ":" + progress());
    }
  }

  @Override
  public void onComplete() {
    if (state != State.RECEIVING) {
      return;
    }
    bodyComplete = true; // the digest is spent: whatever happens now, nothing is resumed
    state = State.FINISHING;
    idle.cancel(); // the sender is done; the transfer timeout still holds
    link.answered(this); // the next answer on the connection, or it is closed
    sink.finish()
        .onSuccess(this::verified)
        .onFailure(
            e -> {
              if (state == State.FINISHING) {
                fail(Failures.because("cannot store the file", e));
              }
            });
  }

  /** The writer wrote, forced and (v2) hashed every byte: check the hash, then commit. */
  private void verified(FileSink.Written written) {
    if (state != State.FINISHING) {
      return; // stopped or timed out meanwhile: fail() cleans up
    }
    String sha256 = written.sha256();
    if (v2 && !source.v2().sha256().equals(sha256)) {
      // Never under the real name: the temp file goes, and the source is not asked again.
      fail(
          new ContentMismatch(
              source.address()
                  + " sent "
                  + name
                  + (resumeFrom == null ? "" : " (resumed at byte " + offset + ")")
                  + " with SHA-256 "
                  + sha256
                  + ", not the advertised "
                  + source.v2().sha256(),
              resumeFrom == null)); // a resumed file's bytes came from several holders
      return;
    }
    state = State.COMMITTING;
    cancelTimers();
    long mtimeMillis = Math.multiplyExact(source.mtime(), 1000L);
    vertx
        .executeBlocking(() -> forceAndCommit(mtimeMillis), false)
        .onSuccess(
            v -> {
              state = State.DONE;
              result.complete(new Result(name, source, received, sha256));
            })
        .onFailure(e -> fail(Failures.because("cannot store the file", e)));
  }

  /**
   * Blocking, on the worker pool (many at once: their fsyncs overlap): forces the temp file to the
   * disk, then {@link #commit commits} it.
   */
  private Void forceAndCommit(long mtimeMillis) throws IOException {
    sink.forceAndClose(); // fsync, before the rename makes the file visible
    commit(folder, name, tempPath, offset + expected, mtimeMillis, displacer);
    return null;
  }

  /**
   * Blocking: gives the verified, forced temp file {@code tempPath} of {@code size} bytes its mtime
   * and renames it over {@code name}, unless the target got newer meanwhile (a ranged download
   * commits here too: this is the one step that makes a downloaded file visible).
   *
   * @param displacer v2 sync: moves the local file out of the way first; null: the seed rule
   */
  static void commit(
      LocalFolder folder,
      String name,
      Path tempPath,
      long size,
      long mtimeMillis,
      Displacer displacer)
      throws IOException {
    Path target = folder.resolve(name);
    if (displacer == null && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            name + " is a folder or a link here, which is never synced; leaving it alone");
      }
      long localMtime = Files.getLastModifiedTime(target, LinkOption.NOFOLLOW_LINKS).toMillis();
      if (Math.floorDiv(localMtime, 1000L) >= Math.floorDiv(mtimeMillis, 1000L)) {
        throw new IOException("the local copy changed meanwhile and is as new, keeping it");
      }
    }
    long written = Files.size(tempPath);
    if (written != size) {
      throw new IOException("wrote " + written + " of " + size + " bytes");
    }
    Files.setLastModifiedTime(tempPath, FileTime.from(mtimeMillis, TimeUnit.MILLISECONDS));
    if (displacer != null) {
      // v2 sync: the local file goes to the trash or its conflict name, never overwritten; it
      // throws when the local file changed since the download was decided, keeping it
      displacer.displace(name, target);
    }
    // The folder itself is not fsynced after the rename: a crash may lose the new name (the file is
    // fetched again), never show a torn file; an fsync per file would halve small-file throughput.
    Files.move(
        tempPath, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void ended() {
    if (state != State.RECEIVING) {
      return;
    }
    try {
      decoder.end();
    } catch (ProtocolException e) {
      fail(Failures.because("bad response from " + source.address(), e));
    }
  }

  /** {@code " (received of expected bytes)"}, for messages about a transfer under way. */
  private String progress() {
    return " (" + received + " of " + (expected < 0 ? "?" : expected) + " bytes)";
  }

  private void cancelTimers() {
    idle.cancel();
    vertx.cancelTimer(transferTimer);
  }

  /** Fails the transfer with its first failure; later ones are consequences and are dropped. */
  private void fail(Throwable cause) {
    if (state == State.DONE || state == State.FAILED) {
      return;
    }
    state = State.FAILED;
    failure = cause;
    cancelTimers();
    if (!bodyComplete) {
      link.abandon(this); // the connection is no use for what comes after its answer
    }
    if (!opening) {
      settle();
    }
  }

  /** Deletes the temp file, then fails the result. */
  private void settle() {
    if (resumable()) {
      keepPartial()
          .onComplete(
              kept ->
                  result.tryFail(
                      kept.succeeded() && kept.result() != null
                          ? new Interrupted(failure, kept.result())
                          : failure));
      return;
    }
    discardTemp().onComplete(v -> result.tryFail(failure));
  }

  /**
   * Whether this failure leaves a prefix worth keeping: a v2 transfer cut by the network, a holder
   * or the peer stopping (which keeps it in its hidden state for the next start), not by wrong
   * content or a failed write, after some bytes arrived.
   */
  private boolean resumable() {
    return v2
        && !bodyComplete
        && !writeFailed
        && !(failure instanceof ContentMismatch)
        && offset + received > 0;
  }

  /** Closes the temp file and keeps it if it holds exactly the bytes hashed; else deletes it. */
  private Future<Partial> keepPartial() {
    long length = offset + received;
    return closeSink(true)
        .compose(
            inFile -> {
              if (inFile != length) {
                return discardTemp().map(v -> (Partial) null);
              }
              LOG.log(
                  Level.DEBUG, () -> "keeping " + length + " bytes of " + name + " for a resume");
              return Future.succeededFuture(
                  new Partial(
                      tempPath,
                      length,
                      digest,
                      source.v2().sha256(),
                      source.mtime(),
                      resumeFrom != null));
            })
        .recover(e -> discardTemp().map(v -> (Partial) null));
  }

  /** A v2 transfer cut short whose verified-as-it-came prefix is kept for the next attempt. */
  static final class Interrupted extends IOException {
    private final transient Partial partial;

    Interrupted(Throwable cause, Partial partial) {
      super(Failures.reason(cause) + " (" + partial.length() + " bytes kept to resume)", cause);
      this.partial = partial;
    }

    Partial partial() {
      return partial;
    }
  }

  private Future<Void> discardTemp() {
    if (sink == null) {
      return Future.succeededFuture(); // never created
    }
    return closeSink(false)
        .transform(v -> vertx.fileSystem().delete(tempPath.toString()))
        .recover(
            e -> {
              LOG.log(
                  Level.WARNING,
                  "cannot delete the temp file " + tempPath + ": " + Failures.reason(e),
                  e);
              return Future.succeededFuture();
            });
  }

  /**
   * Closes the temp file once; {@code keep}: after writing what is queued. Completes with the bytes
   * in it, or fails when they are not known good.
   */
  private Future<Long> closeSink(boolean keep) {
    if (sinkClosed == null) {
      sinkClosed = sink.close(keep);
    }
    return sinkClosed;
  }
}
