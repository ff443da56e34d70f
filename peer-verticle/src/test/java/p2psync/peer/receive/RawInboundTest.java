package p2psync.peer.receive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A download's socket as Netty reads it: every byte once, in order, and once told a large body
 * comes, in reads of up to 1 MiB.
 */
@ExtendWith(VertxExtension.class)
class RawInboundTest {
  private static final int BODY = 8 << 20;

  @ParameterizedTest(name = "read large: {0}")
  @ValueSource(booleans = {true, false})
  void aBodyComesWholeInReadsOfUpTo1MiBOnlyOnceAskedFor(
      boolean large, Vertx vertx, VertxTestContext test) throws Throwable {
    byte[] body = new byte[BODY];
    new Random(3).nextBytes(body);
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                // answers once asked, as a peer's file server does: nothing can arrive before the
                // client took the socket over (its connect callback may run after the first reads)
                socket -> socket.handler(request -> socket.end(Buffer.buffer(body))))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    AtomicLong received = new AtomicLong();
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger mismatches = new AtomicInteger();
    vertx
        .createNetClient()
        .connect(server.actualPort(), "127.0.0.1")
        .onComplete(
            test.succeeding(
                socket -> {
                  RawInbound inbound = RawInbound.of(socket);
                  if (large) {
                    inbound.readLarge();
                  }
                  inbound
                      .handler(
                          data -> {
                            int n = data.readableBytes();
                            largest.accumulateAndGet(n, Math::max);
                            for (int i = 0; i < n; i++) {
                              if (data.getByte(data.readerIndex() + i)
                                  != body[(int) received.get() + i]) {
                                mismatches.incrementAndGet();
                              }
                            }
                            received.addAndGet(n);
                          })
                      .endHandler(
                          v ->
                              test.verify(
                                  () -> {
                                    assertThat(received.get()).isEqualTo(BODY);
                                    assertThat(mismatches.get()).isZero();
                                    if (large) {
                                      assertThat(largest.get())
                                          .as("largest read")
                                          .isGreaterThan(64 * 1024)
                                          .isLessThanOrEqualTo(RawInbound.MAX_READ_BYTES);
                                    } else {
                                      assertThat(largest.get())
                                          .as("largest read")
                                          .isLessThanOrEqualTo(64 * 1024);
                                    }
                                    test.completeNow();
                                  }));
                  socket.write("big.bin\n");
                }));
    assertThat(test.awaitCompletion(20, TimeUnit.SECONDS)).isTrue();
    if (test.failed()) {
      throw test.causeOfFailure();
    }
  }
}
