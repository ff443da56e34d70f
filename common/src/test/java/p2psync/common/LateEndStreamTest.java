package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The decorator tells the guard what its owner does: pause, resume, fetch, data, end. */
@ExtendWith(VertxExtension.class)
class LateEndStreamTest {
  final AtomicInteger ends = new AtomicInteger();
  final List<Buffer> received = new ArrayList<>();

  /** A source that only records what is done to it; the test plays the socket's events. */
  static final class Source implements ReadStream<Buffer> {
    Handler<Buffer> handler;
    Handler<Void> endHandler;
    long demand = Long.MAX_VALUE;

    @Override
    public Source exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public Source handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }

    @Override
    public Source pause() {
      demand = 0;
      return this;
    }

    @Override
    public Source resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public Source fetch(long n) {
      demand = Long.MAX_VALUE - n < demand ? Long.MAX_VALUE : demand + n;
      return this;
    }

    @Override
    public Source endHandler(Handler<Void> h) {
      endHandler = h;
      return this;
    }
  }

  private static void onLoop(Vertx vertx, Runnable action) {
    vertx.runOnContext(v -> action.run());
  }

  private void assertNoEndForAWhile() {
    await()
        .during(LateEndGuard.GRACE.multipliedBy(2))
        .atMost(Duration.ofSeconds(5))
        .untilAtomic(ends, Matchers.is(0));
  }

  final Source source = new Source();
  LateEndStream stream;

  @BeforeEach
  void wrap(Vertx vertx) {
    stream =
        new LateEndStream(vertx, source)
            .handler(received::add)
            .endHandler(v -> ends.incrementAndGet());
  }

  @Test
  void aPausedStreamEndsOnlyAfterItIsResumedAndQuiet(Vertx vertx) {
    onLoop(
        vertx,
        () -> {
          stream.pause();
          source.endHandler.handle(null); // the end overtakes data the socket still holds
        });
    assertNoEndForAWhile();
    onLoop(
        vertx,
        () -> {
          stream.resume();
          source.handler.handle(Buffer.buffer("held back"));
        });
    await().atMost(Duration.ofSeconds(5)).untilAtomic(ends, Matchers.is(1));
    assertThat(received).extracting(Buffer::toString).containsExactly("held back");
    assertThat(source.demand).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aFetchedAmountUsedUpCountsAsPaused(Vertx vertx) {
    onLoop(
        vertx,
        () -> {
          stream.pause();
          stream.fetch(1);
          source.handler.handle(Buffer.buffer("one")); // demand used up: paused again
          source.endHandler.handle(null);
        });
    assertNoEndForAWhile();
    onLoop(vertx, () -> stream.fetch(1));
    await().atMost(Duration.ofSeconds(5)).untilAtomic(ends, Matchers.is(1));
    assertThat(received).hasSize(1);
  }

  @Test
  void aFlowingStreamEndsAfterTheGraceAndCanBePiped(Vertx vertx) {
    List<Buffer> written = new ArrayList<>();
    AtomicInteger piped = new AtomicInteger();
    onLoop(
        vertx,
        () -> {
          stream.pipeTo(
              new io.vertx.core.streams.WriteStream<Buffer>() {
                @Override
                public io.vertx.core.streams.WriteStream<Buffer> exceptionHandler(
                    Handler<Throwable> h) {
                  return this;
                }

                @Override
                public io.vertx.core.Future<Void> write(Buffer data) {
                  written.add(data);
                  return io.vertx.core.Future.succeededFuture();
                }

                @Override
                public io.vertx.core.Future<Void> end() {
                  piped.incrementAndGet();
                  return io.vertx.core.Future.succeededFuture();
                }

                @Override
                public io.vertx.core.streams.WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
                  return this;
                }

                @Override
                public boolean writeQueueFull() {
                  return false;
                }

                @Override
                public io.vertx.core.streams.WriteStream<Buffer> drainHandler(Handler<Void> h) {
                  return this;
                }
              });
          source.handler.handle(Buffer.buffer("body"));
          source.endHandler.handle(null);
        });
    await().atMost(Duration.ofSeconds(5)).untilAtomic(piped, Matchers.is(1));
    assertThat(written).extracting(Buffer::toString).containsExactly("body");
  }
}
