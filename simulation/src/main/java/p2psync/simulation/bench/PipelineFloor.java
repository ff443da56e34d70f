package p2psync.simulation.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import p2psync.common.v2.Sha256;

/**
 * The floor a pull is measured against: the same bytes over a loopback connection into a durable
 * file, with no p2psync, no Vert.x and no protocol, in the shape a receiver cannot beat on the same
 * machine. A thread sends the file with {@code transferTo} (sendfile, as the serving peer does);
 * the receiving thread reads 1 MiB at a time with blocking reads and hands each buffer to a writer
 * thread and, to verify as a v2 pull does, to a SHA-256 thread at once; the writer starts a
 * writeback every 64 MiB and forces the file at the end. Its 8 buffers are allocated once, before
 * the bench takes its memory baseline, and reused by every pull.
 *
 * <p>Written by hand because it is the measurement: what is left between it and a p2psync pull is
 * what p2psync costs, and what is left between it and a local copy is what this machine's cores
 * allow a pull at all (a v2 pull hashes 1 GiB in about 0.55 s of a core, on the two cores that also
 * send and receive).
 */
final class PipelineFloor {
  static final int BUFFER_BYTES = 1 << 20;
  static final int BUFFERS = 8;
  static final long WRITEBACK_BYTES = 64L << 20;

  /** How long the receiver waits for a free buffer before it looks whether a lane failed. */
  private static final long LANE_CHECK_MILLIS = 50;

  private final List<ByteBuffer> buffers = new ArrayList<>();

  PipelineFloor() {
    for (int i = 0; i < BUFFERS; i++) {
      buffers.add(ByteBuffer.allocateDirect(BUFFER_BYTES));
    }
  }

  /** Direct memory its buffers hold, for the whole bench. */
  long directBytes() {
    return (long) BUFFERS * BUFFER_BYTES;
  }

  /**
   * Pulls {@code source} into {@code target} (which must not exist) over loopback; returns wall
   * seconds from the connect to the file forced (and hashed). With {@code expectedSha256} the bytes
   * are hashed as they stream and checked against it, so the floor does the work a v2 pull does.
   * Fails (never hangs) when a lane fails.
   */
  double pull(Path source, Path target, String expectedSha256) throws Exception {
    ExecutorService threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "floor-pull");
              thread.setDaemon(true); // a failed run must not keep the bench's JVM alive
              return thread;
            });
    try (ServerSocketChannel listener =
        ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Future<?> sent = threads.submit(() -> send(listener, source));
      long start = System.nanoTime();
      String sha256 =
          receive(
              (InetSocketAddress) listener.getLocalAddress(),
              target,
              Files.size(source),
              expectedSha256 != null,
              threads);
      double seconds = (System.nanoTime() - start) / 1e9;
      await(sent);
      if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
        throw new IllegalStateException(
            "floor pull: SHA-256 " + sha256 + ", expected " + expectedSha256);
      }
      if (Files.size(target) != Files.size(source)) {
        throw new IllegalStateException(
            "floor pull: " + Files.size(target) + " bytes, expected " + Files.size(source));
      }
      return seconds;
    } finally {
      threads.shutdownNow();
    }
  }

  private static Void send(ServerSocketChannel listener, Path source) throws IOException {
    try (SocketChannel socket = listener.accept();
        FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      long size = in.size();
      for (long position = 0; position < size; ) {
        long sent = in.transferTo(position, size - position, socket);
        if (sent <= 0) {
          throw new IOException("floor pull: " + source + " ended at " + position + " of " + size);
        }
        position += sent;
      }
    }
    return null;
  }

  /** A received buffer, shared by the lanes; back to the pool once every lane is done with it. */
  private record Chunk(ByteBuffer bytes, AtomicInteger lanesLeft) {}

  private static final Chunk END = new Chunk(ByteBuffer.allocate(0), new AtomicInteger());

  private String receive(
      InetSocketAddress from, Path target, long size, boolean hash, ExecutorService threads)
      throws Exception {
    BlockingQueue<ByteBuffer> pool = new ArrayBlockingQueue<>(BUFFERS, false, buffers);
    BlockingQueue<Chunk> toWrite = new LinkedBlockingQueue<>();
    BlockingQueue<Chunk> toHash = new LinkedBlockingQueue<>();
    MessageDigest digest = Sha256.newDigest();
    try (SocketChannel socket = SocketChannel.open(from);
        FileChannel out =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Future<?> written = threads.submit(() -> write(toWrite, pool, out, threads));
      Future<?> hashed =
          hash
              ? threads.submit(() -> hash(toHash, pool, digest))
              : CompletableFuture.completedFuture(null);
      long received = 0;
      while (received < size) {
        ByteBuffer buffer = free(pool, written, hashed).clear();
        while (buffer.hasRemaining() && received < size) {
          int read = socket.read(buffer);
          if (read < 0) {
            throw new IOException("floor pull: connection ended at " + received + " of " + size);
          }
          received += read;
        }
        Chunk chunk = new Chunk(buffer.flip(), new AtomicInteger(hash ? 2 : 1));
        toWrite.add(chunk);
        if (hash) {
          toHash.add(chunk);
        }
      }
      toWrite.add(END);
      toHash.add(END);
      await(written);
      await(hashed);
    }
    return hash ? Sha256.hex(digest.digest()) : null;
  }

  /**
   * A free buffer; a lane that ended early (failed: it can only end after the last buffer) is
   * awaited instead, so its failure surfaces rather than leaving the receiver waiting for buffers
   * it will never hand back.
   */
  static ByteBuffer free(BlockingQueue<ByteBuffer> pool, Future<?>... lanes) throws Exception {
    while (true) {
      ByteBuffer buffer = pool.poll(LANE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
      if (buffer != null) {
        return buffer;
      }
      for (Future<?> lane : lanes) {
        if (lane.isDone()) {
          await(lane);
          throw new IllegalStateException("floor pull: a lane ended before the last buffer");
        }
      }
    }
  }

  private static Void write(
      BlockingQueue<Chunk> chunks,
      BlockingQueue<ByteBuffer> pool,
      FileChannel out,
      ExecutorService threads)
      throws Exception {
    AtomicBoolean writingBack = new AtomicBoolean();
    // Linux reports a failed writeback to one fsync only: kept, and thrown after the last force.
    AtomicReference<IOException> writebackFailed = new AtomicReference<>();
    long sinceWriteback = 0;
    for (Chunk chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
      ByteBuffer bytes = chunk.bytes().duplicate();
      while (bytes.hasRemaining()) {
        sinceWriteback += out.write(bytes);
      }
      done(chunk, pool);
      // As the downloader does: start writing back while more arrives, so the final force is short.
      if (sinceWriteback >= WRITEBACK_BYTES && writingBack.compareAndSet(false, true)) {
        sinceWriteback = 0;
        threads.submit(
            () -> {
              try {
                out.force(false);
              } catch (IOException e) {
                writebackFailed.compareAndSet(null, e);
              } finally {
                writingBack.set(false);
              }
              return null;
            });
      }
    }
    out.force(true);
    if (writebackFailed.get() != null) {
      throw writebackFailed.get();
    }
    return null;
  }

  private static Void hash(
      BlockingQueue<Chunk> chunks, BlockingQueue<ByteBuffer> pool, MessageDigest digest)
      throws InterruptedException {
    for (Chunk chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
      digest.update(chunk.bytes().duplicate());
      done(chunk, pool);
    }
    return null;
  }

  private static void done(Chunk chunk, BlockingQueue<ByteBuffer> pool) {
    if (chunk.lanesLeft().decrementAndGet() == 0) {
      pool.add(chunk.bytes());
    }
  }

  private static void await(Future<?> lane) throws Exception {
    try {
      lane.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
