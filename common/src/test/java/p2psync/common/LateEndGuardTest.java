package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LateEndGuardTest {
  final AtomicInteger ends = new AtomicInteger();

  /** Runs {@code action} on the event loop, as a socket's handlers would. */
  private static void onLoop(Vertx vertx, Runnable action) {
    vertx.runOnContext(v -> action.run());
  }

  @Test
  void anEndOnAFlowingSocketCountsAfterTheGrace(Vertx vertx) {
    LateEndGuard guard = new LateEndGuard(vertx, ends::incrementAndGet, true);
    long start = System.nanoTime();
    onLoop(vertx, guard::endSignalled);
    await().atMost(Duration.ofSeconds(5)).untilAtomic(ends, org.hamcrest.Matchers.is(1));
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(LateEndGuard.GRACE);
  }

  @Test
  void anEndWhilePausedWaitsForTheResumeAndTheDataAfterIt(Vertx vertx) {
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger deliveredAtEnd = new AtomicInteger(-1);
    LateEndGuard guard = new LateEndGuard(vertx, () -> deliveredAtEnd.set(delivered.get()), true);
    onLoop(
        vertx,
        () -> {
          guard.paused();
          guard.endSignalled();
        });
    // Paused: never ends, however long we wait.
    await()
        .during(LateEndGuard.GRACE.multipliedBy(3))
        .atMost(Duration.ofSeconds(5))
        .untilAtomic(deliveredAtEnd, org.hamcrest.Matchers.is(-1));
    onLoop(vertx, guard::resumed);
    // Held-back data keeps coming after the resume, every 50 ms, six times: the end waits for all
    // of it.
    long periodic =
        vertx.setPeriodic(
            50,
            t -> {
              if (delivered.get() < 6) {
                delivered.incrementAndGet();
                guard.dataReceived();
              }
            });
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAtomic(deliveredAtEnd, org.hamcrest.Matchers.greaterThanOrEqualTo(0));
    vertx.cancelTimer(periodic);
    assertThat(deliveredAtEnd).hasValue(6);
  }

  @Test
  void anEndOnASocketNeverPausedCountsAtOnceAndOnlyOnce(Vertx vertx) {
    LateEndGuard guard = new LateEndGuard(vertx, ends::incrementAndGet, false);
    onLoop(
        vertx,
        () -> {
          guard.dataReceived();
          guard.endSignalled();
          guard.endSignalled();
        });
    await()
        .pollInterval(Duration.ofMillis(5))
        .atMost(LateEndGuard.GRACE.dividedBy(2))
        .untilAtomic(ends, org.hamcrest.Matchers.is(1));
    await()
        .during(LateEndGuard.GRACE.multipliedBy(2))
        .atMost(Duration.ofSeconds(5))
        .untilAtomic(ends, org.hamcrest.Matchers.is(1));
  }

  @Test
  void aSocketPausedOnceKeepsTheGraceForItsEnd(Vertx vertx) {
    LateEndGuard guard = new LateEndGuard(vertx, ends::incrementAndGet, false);
    long start = System.nanoTime();
    onLoop(
        vertx,
        () -> {
          guard.paused();
          guard.resumed();
          guard.endSignalled();
        });
    await().atMost(Duration.ofSeconds(5)).untilAtomic(ends, org.hamcrest.Matchers.is(1));
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(LateEndGuard.GRACE);
  }
}
