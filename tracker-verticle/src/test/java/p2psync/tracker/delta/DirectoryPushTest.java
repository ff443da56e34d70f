package p2psync.tracker.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaRequest;

/** Publishing and pushing: coalesced per interval, and paced after a big version. */
@ExtendWith(VertxExtension.class)
class DirectoryPushTest {

  /** Members changed by the test, drained by the push (all on the context). */
  static final class FakeMembers implements DirectoryPush.Members {
    final Map<String, byte[]> pending = new HashMap<>();

    @Override
    public void track() {}

    @Override
    public boolean changed() {
      return !pending.isEmpty();
    }

    @Override
    public Map<String, byte[]> drain() {
      Map<String, byte[]> out = new HashMap<>(pending);
      pending.clear();
      return out;
    }
  }

  record Pushed(long at, String line) {}

  /** A push of epoch 7 on the real clock; call on the context it is to run on. */
  private static DirectoryPush newPush(Vertx vertx, SyncConfig config, FakeMembers members) {
    return new DirectoryPush(vertx, config, members, 7, System::nanoTime);
  }

  private static byte[] member(String name, int size) {
    return ("\"" + name + "\": {\"pad\": \"" + "x".repeat(size) + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void smallChangesArePushedEveryIntervalABigVersionHoldsTheNextOneBack(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    FakeMembers members = new FakeMembers();
    List<Pushed> pushed = new CopyOnWriteArrayList<>();
    Duration keepAlive = Duration.ofSeconds(2);
    DirectoryPush[] push = new DirectoryPush[1];
    context.runOnContext(
        v -> {
          push[0] =
              newPush(
                  vertx,
                  new SyncConfig()
                      .setKeepAliveInterval(keepAlive)
                      .setDirectoryPushInterval(Duration.ofMillis(20)),
                  members);
          DirectoryPush.Subscription s =
              push[0].subscribe(
                  (ByteBuf line, boolean isPush) -> {
                    pushed.add(
                        new Pushed(System.nanoTime(), line.toString(StandardCharsets.US_ASCII)));
                    return true;
                  });
          push[0].answer(s, new DeltaRequest(0, 0, true)); // the whole (empty) directory
          // three small changes at once: one push
          members.pending.put("a", member("a", 10));
          members.pending.put("b", member("b", 10));
          push[0].touched();
          members.pending.put("c", member("c", 10));
          push[0].touched();
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> pushed.size() == 1);
    assertThat(pushed.get(0).line()).contains("\"a\": {", "\"b\": {", "\"c\": {");

    // a version that changes half of the pacing floor's bytes: the next waits half a keepalive
    context.runOnContext(
        v -> {
          members.pending.put("big", member("big", 128 * 1024));
          push[0].touched();
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> pushed.size() == 2);
    context.runOnContext(
        v -> {
          members.pending.put("a", member("a", 11));
          push[0].touched();
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> pushed.size() == 3);
    // measured from when the big push was written, which comes after building its delta
    long gap = pushed.get(2).at() - pushed.get(1).at();
    assertThat(Duration.ofNanos(gap)).isGreaterThan(keepAlive.dividedBy(2).minusMillis(100));
    context.runOnContext(v -> push[0].close());
  }

  @Test
  void messagesReadDuringAFanOutAreHandledBetweenItsBatches(Vertx vertx) throws Exception {
    // Many subscribers, one change: a fan-out of many batches. The first push makes a client send
    // a line to a server on the same event loop; it must be read before the fan-out is over.
    int subscribers = 20 * 256;
    Context context = vertx.getOrCreateContext();
    AtomicInteger written = new AtomicInteger();
    AtomicInteger writtenWhenRead = new AtomicInteger(-1);
    AtomicInteger accepted = new AtomicInteger();
    NetServer[] server = new NetServer[1];
    context.runOnContext(
        v ->
            server[0] =
                vertx
                    .createNetServer()
                    .connectHandler(
                        socket -> {
                          accepted.incrementAndGet();
                          socket.handler(data -> writtenWhenRead.compareAndSet(-1, written.get()));
                        }));
    await().atMost(Duration.ofSeconds(5)).until(() -> server[0] != null);
    int port =
        server[0]
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get()
            .actualPort();
    try (Socket client = new Socket("127.0.0.1", port)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() == 1);
      OutputStream out = client.getOutputStream();
      FakeMembers members = new FakeMembers();
      DirectoryPush[] push = new DirectoryPush[1];
      context.runOnContext(
          v -> {
            push[0] =
                newPush(
                    vertx,
                    new SyncConfig().setDirectoryPushInterval(Duration.ofMillis(1)),
                    members);
            for (int i = 0; i < subscribers; i++) {
              DirectoryPush.Subscription s =
                  push[0].subscribe(
                      (ByteBuf line, boolean isPush) -> {
                        if (isPush && written.getAndIncrement() == 0) {
                          try {
                            // lands in the server's receive buffer at once (loopback)
                            out.write('\n');
                            out.flush();
                          } catch (IOException e) {
                            throw new UncheckedIOException(e);
                          }
                        }
                        return true;
                      });
              push[0].answer(s, new DeltaRequest(0, 0, true));
            }
            members.pending.put("a", member("a", 10));
            push[0].touched();
          });
      await().atMost(Duration.ofSeconds(10)).until(() -> written.get() == subscribers);
      await().atMost(Duration.ofSeconds(5)).until(() -> writtenWhenRead.get() >= 0);
      assertThat(writtenWhenRead.get()).isBetween(1, subscribers / 4);
      context.runOnContext(v -> push[0].close());
    } finally {
      server[0].close();
    }
  }
}
