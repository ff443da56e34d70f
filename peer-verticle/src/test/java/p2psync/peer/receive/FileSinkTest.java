package p2psync.peer.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.v2.Sha256;

/**
 * The writer of received bytes, driven by hand: its "writer thread" is a queue of tasks the test
 * runs when it likes (a stalled disk is a queue nobody runs), on real files and pooled direct
 * buffers like the socket's.
 */
class FileSinkTest {
  @TempDir Path folder;
  Vertx vertx;
  Context context;
  final ManualExecutor writer = new ManualExecutor();
  final List<ByteBuf> handedOver = new ArrayList<>();
  final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  final Random random = new Random(7);

  /** Runs tasks only when told; tasks a task queues run in the same call. */
  static final class ManualExecutor implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable next;
      while ((next = poll()) != null) {
        next.run();
      }
    }

    synchronized Runnable poll() {
      return tasks.poll();
    }

    synchronized Runnable pollLast() {
      return tasks.pollLast();
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  <T> T result(Future<T> future) {
    writer.runAll();
    await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
    if (future.failed()) {
      throw new AssertionError("failed: " + future.cause(), future.cause());
    }
    return future.result();
  }

  FileSink open(Path path, long offset, MessageDigest digest, long highWater) {
    return result(FileSink.open(context, writer, path, offset, digest, highWater));
  }

  /** A pooled direct buffer of {@code size} random bytes, as a socket read gives them. */
  ByteBuf chunk(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    sent.writeBytes(bytes);
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeBytes(bytes);
    handedOver.add(buf);
    return buf;
  }

  void assertEveryBufferReleased() {
    assertThat(handedOver).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }

  /** The file holds exactly the bytes sent, {@code sha256} is theirs, every buffer was released. */
  void assertReceivedWhole(Path path, String sha256) throws Exception {
    assertThat(sha256)
        .isEqualTo(Sha256.hex(MessageDigest.getInstance("SHA-256").digest(sent.toByteArray())));
    assertThat(Files.readAllBytes(path)).isEqualTo(sent.toByteArray());
    assertEveryBufferReleased();
  }

  @Test
  void writesHashesForcesAndReleasesEveryBuffer() throws Exception {
    Path path = folder.resolve("t");
    FileSink sink = open(path, 0, Sha256.newDigest(), 1 << 20);
    for (int i = 0; i < 200; i++) {
      sink.write(chunk(1 + random.nextInt(70_000)));
      if (i % 7 == 0) {
        writer.runAll(); // turns that find one buffer, and turns that find many
      }
    }
    FileSink.Written written = result(sink.finish());
    sink.forceAndClose();

    assertThat(written.length()).isEqualTo(sent.size());
    assertReceivedWhole(path, written.sha256());
  }

  @Test
  void aLargeFileIsWrittenBackWhileItArrivesAndEndsUpWhole() throws Exception {
    Path path = folder.resolve("large");
    FileSink sink = open(path, 0, Sha256.newDigest(), 8 << 20);
    long total = FileSink.WRITEBACK_BYTES * 2 + 12345;
    for (long written = 0; written < total; ) {
      int size = (int) Math.min(1 << 20, total - written);
      sink.write(chunk(size));
      written += size;
      writer.runAll(); // writebacks run on the workers meanwhile, beside the writes
    }
    FileSink.Written written = result(sink.finish());
    sink.forceAndClose();

    assertThat(sink.writeBacks()).as("background writebacks").isGreaterThanOrEqualTo(1);
    assertThat(written.length()).isEqualTo(total);
    assertReceivedWhole(path, written.sha256());
  }

  @Test
  void aSmallFileIsNotWrittenBackBeforeItsCommit() {
    FileSink sink = open(folder.resolve("small"), 0, null, 1 << 20);
    sink.write(chunk(70_000));
    result(sink.finish());
    assertThat(sink.writeBacks()).isZero();
  }

  @Test
  void aSeedTransferHasNoHash() {
    FileSink sink = open(folder.resolve("t"), 0, null, 1 << 20);
    sink.write(chunk(10));
    assertThat(result(sink.finish())).isEqualTo(new FileSink.Written(10, null));
  }

  @Test
  void asksToPauseAboveItsBoundAndCallsResumeOnceAtHalfOfIt() {
    FileSink sink = open(folder.resolve("t"), 0, null, 4096);
    AtomicInteger resumes = new AtomicInteger();
    sink.resumeHandler(resumes::incrementAndGet);

    List<Boolean> pause = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pause.add(sink.write(chunk(1024))); // the disk is stalled: nobody runs the writer
    }
    assertThat(pause).containsExactly(false, false, false, false, true, true);
    assertThat(writer.tasks).as("one writer turn queued for the whole burst").hasSize(1);
    assertThat(resumes).hasValue(0);

    writer.runAll();
    await().atMost(Duration.ofSeconds(10)).untilAtomic(resumes, org.hamcrest.Matchers.is(1));
    assertThat(sink.write(chunk(1024))).isFalse();
    result(sink.finish());
    assertThat(resumes).hasValue(1);
    assertEveryBufferReleased();
  }

  @Test
  void theHashLaneTakesEachBufferWithoutWaitingForItsWrite() throws Exception {
    Path path = folder.resolve("t");
    FileSink sink = open(path, 0, Sha256.newDigest(), 1 << 20);
    ByteBuf first = chunk(5000);
    sink.write(first);
    assertThat(writer.tasks).as("a hash turn and a write turn, side by side").hasSize(2);

    writer.poll().run(); // the hash turn, while the write lane is stalled
    assertThat(Files.size(path)).isZero();
    assertThat(first.refCnt()).as("the write lane still holds it").isEqualTo(1);

    sink.write(chunk(3000));
    FileSink.Written written = result(sink.finish());
    assertReceivedWhole(path, written.sha256());
  }

  /** Either lane done alone is not enough, whichever it is. */
  @ParameterizedTest(name = "the lane queued {0} runs first")
  @ValueSource(strings = {"first", "last"})
  void resumesOnlyOnceBothLanesCaughtUp(String which) throws Exception {
    FileSink sink = open(folder.resolve("t"), 0, Sha256.newDigest(), 4096);
    AtomicInteger resumes = new AtomicInteger();
    sink.resumeHandler(resumes::incrementAndGet);
    assertThat(sink.write(chunk(8192))).as("above the bound").isTrue();

    assertThat(writer.tasks).as("a turn of each lane").hasSize(2);
    (which.equals("first") ? writer.poll() : writer.pollLast()).run();
    // a resume the turn asked for would run on the sink's context before this
    Promise<Void> behind = Promise.promise();
    context.runOnContext(v -> behind.complete());
    behind.future().await(10, TimeUnit.SECONDS);
    assertThat(resumes).hasValue(0);

    writer.runAll(); // the other lane's turn
    await().atMost(Duration.ofSeconds(10)).untilAtomic(resumes, org.hamcrest.Matchers.is(1));
    result(sink.finish());
    assertEveryBufferReleased();
  }

  @Test
  void aReadAfterCloseToKeepIsNeitherWrittenNorHashed() throws Exception {
    Path path = folder.resolve("t");
    MessageDigest digest = Sha256.newDigest();
    FileSink sink = open(path, 0, digest, 1 << 20);
    sink.write(chunk(1000));
    byte[] prefix = sent.toByteArray();
    Future<Long> kept = sink.close(true);
    ByteBuf late = chunk(10);
    assertThat(sink.write(late)).isFalse();

    assertThat(result(kept)).isEqualTo(1000L);
    assertThat(late.refCnt()).isZero();
    assertThat(Files.readAllBytes(path)).isEqualTo(prefix);
    assertThat(Sha256.hex(digest.digest()))
        .as("the digest a resume goes on from")
        .isEqualTo(Sha256.hex(MessageDigest.getInstance("SHA-256").digest(prefix)));
    assertEveryBufferReleased();
  }

  /** The lanes on real threads, side by side, as in a peer: the other tests run them by hand. */
  @Test
  void onAPoolOfThreadsTheFileTheDigestAndTheBuffersComeOutRight() throws Exception {
    ExecutorService pool = Writers.newPool(3);
    try {
      for (int round = 0; round < 20; round++) {
        sent.reset();
        Path path = folder.resolve("pool-" + round);
        boolean keep = round % 4 == 3; // some end as a kept prefix instead of a finished file
        MessageDigest digest = Sha256.newDigest();
        FileSink sink =
            FileSink.open(context, pool, path, 0, digest, 64 << 10).await(10, TimeUnit.SECONDS);
        Semaphore resumed = new Semaphore(0);
        sink.resumeHandler(resumed::release);
        for (int i = 0; i < 300; i++) {
          if (sink.write(chunk(1 + random.nextInt(20_000)))) {
            assertThat(resumed.tryAcquire(10, TimeUnit.SECONDS)).as("resumed").isTrue();
          }
        }
        byte[] expected = sent.toByteArray();
        String sha256 = Sha256.hex(MessageDigest.getInstance("SHA-256").digest(expected));
        if (keep) {
          assertThat(sink.close(true).await(10, TimeUnit.SECONDS))
              .isEqualTo((long) expected.length);
          assertThat(Sha256.hex(digest.digest())).isEqualTo(sha256);
        } else {
          FileSink.Written written = sink.finish().await(10, TimeUnit.SECONDS);
          sink.forceAndClose();
          assertThat(written.length()).isEqualTo(expected.length);
          assertThat(written.sha256()).isEqualTo(sha256);
        }
        assertThat(Files.readAllBytes(path)).isEqualTo(expected);
        assertEveryBufferReleased();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closingToKeepWritesWhatIsQueuedAndTheDigestCoversExactlyThePrefix() throws Exception {
    Path path = folder.resolve("t");
    MessageDigest digest = Sha256.newDigest();
    FileSink sink = open(path, 0, digest, 1 << 20);
    sink.write(chunk(1000));
    writer.runAll();
    sink.write(chunk(2000));
    sink.write(chunk(3000));

    assertThat(result(sink.close(true))).isEqualTo(6000L);
    assertReceivedWhole(path, Sha256.hex(digest.digest()));
  }

  @Test
  void closingToDiscardDropsWhatIsQueuedUnwritten() throws Exception {
    Path path = folder.resolve("t");
    FileSink sink = open(path, 0, Sha256.newDigest(), 1 << 20);
    sink.write(chunk(1000));
    writer.runAll();
    sink.write(chunk(2000));

    assertThat(result(sink.close(false))).isEqualTo(1000L);
    assertThat(Files.size(path)).isEqualTo(1000);
    sink.write(chunk(10)); // a late read after the close: released, not written
    writer.runAll();
    assertThat(Files.size(path)).isEqualTo(1000);
    assertEveryBufferReleased();
  }

  @Test
  void aResumeAppendsAfterThePrefix() throws Exception {
    Path path = folder.resolve("t");
    byte[] prefix = new byte[5000];
    random.nextBytes(prefix);
    Files.write(path, prefix);
    FileSink sink = open(path, prefix.length, null, 1 << 20);
    sink.write(chunk(3000));

    assertThat(result(sink.finish()).length()).isEqualTo(8000);
    byte[] all = Files.readAllBytes(path);
    assertThat(all).startsWith(prefix).endsWith(sent.toByteArray());
  }

  @Test
  void aPrefixThatIsNotTheLengthKeptIsRefused() throws Exception {
    Path path = folder.resolve("t");
    Files.write(path, new byte[4000]);
    assertThatThrownBy(() -> open(path, 5000, null, 1 << 20))
        .hasMessageContaining("holds 4000 bytes, not 5000");
  }

  @Test
  void aNewTempFileNeverOverwritesAnExistingOne() throws Exception {
    Path path = folder.resolve("t");
    Files.write(path, new byte[] {1});
    assertThatThrownBy(() -> open(path, 0, null, 1 << 20)).hasMessageContaining("t");
    assertThat(Files.readAllBytes(path)).containsExactly(1);
  }
}
