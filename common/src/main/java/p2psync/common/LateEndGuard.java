package p2psync.common;

import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Holds back a socket's end until the data Vert.x may still deliver after it has arrived.
 *
 * <p>With a socket paused for backpressure, Vert.x 5.0.x (our pinned 5.0.7 included) signals the
 * end before data it still holds, and delivers that data after {@code resume()}
 * (eclipse-vertx/vert.x#5748, fixed upstream after 5.0.7). Taking that end at its word cuts
 * transfers short. So the end counts only once the socket is not paused and has received nothing
 * for {@link #GRACE}. A socket known never to have been paused holds nothing back (the bug needs
 * data queued by a pause), so its end counts at once. {@link LateEndStream} reports what is done to
 * the socket; the guard calls back once. Use that stream, not the guard: it is the one place the
 * rule is applied.
 */
final class LateEndGuard {
  /** Quiet time, with the socket flowing, after which no held-back data can still come. */
  public static final Duration GRACE = Duration.ofMillis(200);

  private final Vertx vertx;
  private final Runnable onEnd;
  private boolean paused;

  /** False only while the socket is known never to have been paused: then nothing is held back. */
  private boolean mayHoldData;

  private boolean endSignalled;
  private boolean done;
  private long received;
  private long timer = -1;

  LateEndGuard(Vertx vertx, Runnable onEnd, boolean mayHoldData) {
    this.vertx = vertx;
    this.onEnd = onEnd;
    this.mayHoldData = mayHoldData;
  }

  /** Call from the socket's data handler. */
  void dataReceived() {
    received++;
  }

  /** Call when pausing the socket. */
  void paused() {
    paused = true;
    mayHoldData = true;
  }

  /** Call when resuming the socket. */
  void resumed() {
    paused = false;
    if (endSignalled) {
      arm();
    }
  }

  /** Call from the socket's end handler. */
  void endSignalled() {
    endSignalled = true;
    if (!mayHoldData && !done) {
      done = true;
      onEnd.run();
    } else if (!paused) {
      arm();
    }
  }

  private void arm() {
    vertx.cancelTimer(timer);
    long receivedBefore = received;
    timer =
        vertx.setTimer(
            GRACE.toMillis(),
            t -> {
              if (done || paused) {
                return; // called back already, or resumed() arms it again
              }
              if (received == receivedBefore) {
                done = true;
                onEnd.run();
              } else {
                arm();
              }
            });
  }
}
