package p2psync.peer.receive;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import p2psync.common.v2.Sha256;

/**
 * Writes one download's bytes into its temp file off the event loop: the event loop hands over the
 * socket's own (retained, usually direct) Netty buffers, writer threads write them with a {@link
 * FileChannel} and (v2) hash them, and release them. No copy to the heap, no task per chunk: a turn
 * drains whatever is queued, so one handoff serves a burst of reads. Buffers handed over after
 * {@link #finish} or {@link #close} are dropped: they are neither written nor hashed.
 *
 * <p>Memory stays bounded by the caller pausing its socket while {@link #write} answers true (more
 * than {@code highWater} bytes queued for one of the lanes); the sink calls the resume handler, on
 * the caller's context, once both lanes are down to half of that.
 *
 * <p>Threading: {@link #write}, {@link #finish} and {@link #close} are called on the owner's
 * context; the file and the count of written bytes belong to the writer turns, the digest to the
 * hash turns (v2): each kind runs one turn at a time per sink, the two beside each other. Each
 * buffer goes to both lanes at once, so the hash lane (the slower one: SHA-256 costs about twice a
 * write into the page cache) never waits for the write lane; a command that must follow the bytes
 * (the end of a download, a kept prefix) reaches the hash lane through the write lane, behind every
 * buffer. Results come back on the owner's context.
 */
public final class FileSink {
  /** Buffers a turn writes before it yields its pool thread to other sinks. */
  private static final int BUFFERS_PER_TURN = 64;

  /** How a finished sink ended: the bytes in the file and, for a v2 transfer, their SHA-256. */
  public record Written(long length, String sha256) {}

  /** A command queued behind the data, so it runs after every byte before it was written. */
  private record Finish(Promise<Written> done) {}

  /** Closes the file; {@code keep}: writes what is queued first (for a resume), else drops it. */
  private record Close(boolean keep, Promise<Long> done) {}

  private final Context context;
  private final Executor writers;
  private final Path path;
  private final long highWater;
  private final MessageDigest digest;
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();

  /** Bytes handed over and not yet written (or dropped) by the write lane. */
  private final AtomicLong queuedBytes = new AtomicLong();

  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Buffers waiting for the digest (v2), and actions that must follow them. */
  private final Queue<Object> hashQueue = new ConcurrentLinkedQueue<>();

  /** Bytes handed over and not yet hashed (or dropped) by the hash lane (v2). */
  private final AtomicLong hashQueuedBytes = new AtomicLong();

  private final AtomicBoolean hashScheduled = new AtomicBoolean();
  private final AtomicBoolean resumeWanted = new AtomicBoolean();
  private volatile Runnable resumeHandler = () -> {};

  /** Set by {@code close(false)}: buffers still queued are released unwritten, whatever turn. */
  private volatile boolean discarding;

  /** Set by finish() or close(), on the owner's context: later writes are dropped there. */
  private boolean ended;

  private volatile Consumer<Throwable> failureHandler = e -> {};

  /** Bytes written between two background writebacks of a large file ({@link #writeBack}). */
  static final long WRITEBACK_BYTES = 64L << 20;

  /** Background writebacks started (any thread; for tests). */
  private final AtomicLong writeBacks = new AtomicLong();

  /** A background writeback runs. */
  private final AtomicBoolean flushing = new AtomicBoolean();

  // Writer-turn state (one turn at a time; the scheduled flag orders the turns).
  private FileChannel channel;
  private long length;

  /** Bytes written since the last background writeback began. */
  private long unflushed;

  private IOException failure;
  private boolean closed;

  /** Set by the Finish turn; forceAndClose runs after its future completed, which orders them. */
  private volatile boolean finished;

  private FileSink(
      Context context,
      Executor writers,
      Path path,
      FileChannel channel,
      long offset,
      MessageDigest digest,
      long highWater) {
    this.context = context;
    this.writers = writers;
    this.path = path;
    this.channel = channel;
    this.length = offset;
    this.digest = digest;
    this.highWater = highWater;
  }

  /**
   * Opens (a new file) or reopens (a kept prefix of {@code offset} bytes, written after it) the
   * temp file on a writer thread; the future completes on {@code context}.
   *
   * @param digest updated with every byte written, or null (a seed transfer)
   */
  public static Future<FileSink> open(
      Context context,
      Executor writers,
      Path path,
      long offset,
      MessageDigest digest,
      long highWater) {
    return open(context, writers, path, offset, digest, highWater, false);
  }

  /**
   * Opens an existing temp file to write one range of it from {@code position} on (a ranged
   * download: several sinks write their ranges of one file at once, each through a channel of its
   * own, so each keeps its own position). No digest: the whole file is hashed once complete. {@link
   * #close}{@code (true)} completes with the position just past the last byte written.
   */
  public static Future<FileSink> openRange(
      Context context, Executor writers, Path path, long position, long highWater) {
    return open(context, writers, path, position, null, highWater, true);
  }

  private static Future<FileSink> open(
      Context context,
      Executor writers,
      Path path,
      long offset,
      MessageDigest digest,
      long highWater,
      boolean range) {
    Promise<FileSink> opened = Promise.promise();
    try {
      writers.execute(
          () -> {
            try {
              FileChannel channel =
                  offset == 0 && !range
                      ? FileChannel.open(
                          path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                      : FileChannel.open(path, StandardOpenOption.WRITE);
              try {
                if (!range && channel.size() != offset) {
                  throw new IOException(
                      path.getFileName() + " holds " + channel.size() + " bytes, not " + offset);
                }
                channel.position(offset);
              } catch (IOException e) {
                channel.close();
                throw e;
              }
              FileSink sink =
                  new FileSink(context, writers, path, channel, offset, digest, highWater);
              context.runOnContext(v -> opened.complete(sink));
            } catch (IOException | RuntimeException e) {
              context.runOnContext(v -> opened.fail(e));
            }
          });
    } catch (RejectedExecutionException e) {
      opened.fail(new IOException("the peer is stopping", e));
    }
    return opened.future();
  }

  public Path path() {
    return path;
  }

  /** How many background writebacks this sink started. */
  long writeBacks() {
    return writeBacks.get();
  }

  /** Called on the owner's context once a paused writer's queue fell to half its bound. */
  public FileSink resumeHandler(Runnable handler) {
    resumeHandler = handler;
    return this;
  }

  /** Called on the owner's context when a write fails; later writes are dropped. */
  public FileSink failureHandler(Consumer<Throwable> handler) {
    failureHandler = handler;
    return this;
  }

  /**
   * Queues {@code data} (the sink now owns it and releases it once written or dropped). Returns
   * whether the caller must stop reading until the resume handler is called.
   */
  public boolean write(ByteBuf data) {
    if (ended) {
      // A late read after the end: kept out of both lanes, so a kept prefix's digest stays the
      // prefix's (the hash lane would otherwise take it in after the prefix was settled).
      data.release();
      return false;
    }
    int bytes = data.readableBytes();
    if (digest != null) {
      data.retain(); // one reference per lane, taken before anything is counted
      hashQueuedBytes.addAndGet(bytes);
      hashQueue.add(data);
      scheduleHash();
    }
    queuedBytes.addAndGet(bytes);
    queue.add(data);
    schedule();
    if (queued() <= highWater) {
      return false;
    }
    resumeWanted.set(true);
    // The lanes may have drained their queues between the add and the flag: then nobody would
    // call the resume handler, so the caller need not pause after all.
    return !(queued() <= highWater / 2 && resumeWanted.compareAndSet(true, false));
  }

  /** Bytes some lane has still to take: what the sink holds on to. */
  private long queued() {
    return Math.max(queuedBytes.get(), hashQueuedBytes.get());
  }

  /**
   * Writes what is queued and (v2) completes the hash; fails with the first write error. The file
   * stays open for {@link #forceAndClose}: the fsync is left to the commit, which runs on the
   * worker pool, so that the fsyncs of many small files overlap (the file system then commits them
   * together) instead of queueing behind each other on the writer threads.
   */
  public Future<Written> finish() {
    ended = true;
    Promise<Written> done = Promise.promise();
    enqueue(new Finish(done));
    return done.future();
  }

  /**
   * Closes the file without forcing it; {@code keep}: after writing what is queued (the prefix is
   * kept for a resume). Completes with the bytes in the file, or fails when they are not known good
   * (a write failed).
   */
  public Future<Long> close(boolean keep) {
    ended = true;
    Promise<Long> done = Promise.promise();
    if (!keep) {
      discarding = true;
    }
    enqueue(new Close(keep, done));
    return done.future();
  }

  private void enqueue(Object command) {
    queue.add(command);
    schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        writers.execute(this::turn);
      } catch (RejectedExecutionException e) {
        // The pool is shut down only after every download stopped; drain here rather than leak.
        turn();
      }
    }
  }

  /** One writer turn: writes up to BUFFERS_PER_TURN buffers, then hands the thread on. */
  private void turn() {
    try {
      int buffers = 0;
      Object next;
      while (buffers < BUFFERS_PER_TURN && (next = queue.poll()) != null) {
        if (next instanceof ByteBuf data) {
          buffers++;
          consume(data, true);
        } else if (next instanceof Finish finish) {
          runFinish(finish.done());
        } else if (next instanceof Close close) {
          runClose(close);
        }
      }
    } finally {
      scheduled.set(false);
      if (!queue.isEmpty()) {
        schedule();
      }
    }
  }

  /**
   * Writes one buffer (unless the file is failed or closed) and releases the write lane's reference
   * to it. The hash lane takes in the same buffers in the same order, so the digest covers exactly
   * the bytes in the file as long as no write failed (then nothing is kept or committed), and a
   * kept prefix's digest state is the prefix's once the hash lane got to its end (see runClose;
   * nothing handed over after the close reaches either lane).
   */
  private void consume(ByteBuf data, boolean write) {
    try {
      if (write && failure == null && !closed && !discarding) {
        writeFully(data);
      }
    } catch (IOException e) {
      failure = e;
      context.runOnContext(v -> failureHandler.accept(e));
    } finally {
      release(data, queuedBytes);
    }
  }

  /**
   * Releases one lane's reference to {@code data}; resumes the caller once both lanes caught up.
   */
  private void release(ByteBuf data, AtomicLong lane) {
    int bytes = data.readableBytes();
    data.release();
    lane.addAndGet(-bytes);
    if (queued() <= highWater / 2 && resumeWanted.compareAndSet(true, false)) {
      context.runOnContext(v -> resumeHandler.run());
    }
  }

  private void writeFully(ByteBuf data) throws IOException {
    for (ByteBuffer chunk : data.nioBuffers()) {
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    }
    length += data.readableBytes();
    unflushed += data.readableBytes();
    if (unflushed >= WRITEBACK_BYTES && !flushing.get()) {
      writeBack();
    }
  }

  /**
   * Starts writing the file's dirty pages to the disk while the rest still arrives, on a worker (an
   * fsync blocks its thread, not the writes, which go on beside it): the fsync before the rename
   * then has only the tail left. Without it a large pull wrote nothing back until its end (the
   * kernel starts on its own only at a tenth of the RAM dirty), and that last fsync was a third of
   * a 1 GiB pull. Java has no {@code sync_file_range}, which would only start the writes. A failure
   * here is left to the last fsync, which sees it again.
   */
  private void writeBack() {
    unflushed = 0;
    flushing.set(true);
    writeBacks.incrementAndGet();
    FileChannel file = channel;
    context
        .owner()
        .executeBlocking(
            () -> {
              try {
                file.force(false);
              } catch (IOException e) {
                // closed meanwhile, or failed: the commit's fsync reports what matters
              } finally {
                flushing.set(false);
              }
              return null;
            },
            false);
  }

  /**
   * Runs an action once every buffer handed over so far is hashed (v2): it joins the hash lane's
   * queue, behind them (called by the write lane, which got to the action's command after every
   * buffer before it was queued for both lanes). A seed transfer has no hash lane: it runs at once.
   */
  private void afterWrite(Runnable action) {
    if (digest == null) {
      action.run();
      return;
    }
    hashQueue.add(action);
    scheduleHash();
  }

  private void scheduleHash() {
    if (hashScheduled.compareAndSet(false, true)) {
      try {
        writers.execute(this::hashTurn);
      } catch (RejectedExecutionException e) {
        hashTurn(); // as in schedule()
      }
    }
  }

  /** One hash turn: hashes (and releases) up to BUFFERS_PER_TURN buffers, runs actions in turn. */
  private void hashTurn() {
    try {
      int buffers = 0;
      Object next;
      while (buffers < BUFFERS_PER_TURN && (next = hashQueue.poll()) != null) {
        if (next instanceof ByteBuf data) {
          buffers++;
          if (!discarding) {
            for (ByteBuffer chunk : data.nioBuffers()) {
              digest.update(chunk);
            }
          }
          release(data, hashQueuedBytes);
        } else {
          ((Runnable) next).run();
        }
      }
    } finally {
      hashScheduled.set(false);
      if (!hashQueue.isEmpty()) {
        scheduleHash();
      }
    }
  }

  private void runFinish(Promise<Written> done) {
    if (failure != null || closed) {
      IOException e = failure != null ? failure : new IOException("the temp file is closed");
      closeQuietly();
      context.runOnContext(v -> done.fail(e));
      return;
    }
    finished = true;
    long written = length;
    afterWrite(
        () -> {
          String sha256 = digest == null ? null : Sha256.hex(digest.digest());
          context.runOnContext(v -> done.complete(new Written(written, sha256)));
        });
  }

  /**
   * Blocking, once {@link #finish} succeeded: forces the file to the disk (before a rename may make
   * it visible) and closes it.
   */
  public void forceAndClose() throws IOException {
    if (!finished) {
      throw new IllegalStateException("not finished");
    }
    try (FileChannel file = channel) {
      file.force(false);
    }
  }

  private void runClose(Close close) {
    if (close.keep()) {
      Object next;
      while ((next = queue.peek()) instanceof ByteBuf data) {
        queue.poll();
        consume(data, true);
      }
    } else {
      dropQueued();
    }
    closeQuietly();
    IOException e = failure;
    long kept = length;
    afterWrite( // a kept prefix's digest must have taken in every byte written
        () ->
            context.runOnContext(
                v -> {
                  if (e != null) {
                    close.done().fail(e);
                  } else {
                    close.done().complete(kept);
                  }
                }));
  }

  /** Releases the buffers queued before the next command. */
  private void dropQueued() {
    Object next;
    while ((next = queue.peek()) instanceof ByteBuf data) {
      queue.poll();
      consume(data, false);
    }
  }

  private void closeQuietly() {
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing a file that failed already: the first failure is the one reported.
    }
  }
}
