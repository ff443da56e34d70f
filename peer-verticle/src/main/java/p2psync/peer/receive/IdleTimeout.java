package p2psync.peer.receive;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Calls its action once a transfer has seen no byte for its limit. One timer per idle period,
 * re-armed lazily when it finds recent activity, rather than one per received chunk. On the event
 * loop of its owner.
 */
public final class IdleTimeout {
  private final Vertx vertx;
  private final long limitMillis;
  private final Runnable onIdle;
  private long lastActivityNanos;
  private long timer = -1;
  private boolean cancelled;

  public IdleTimeout(Vertx vertx, long limitMillis, Runnable onIdle) {
    this.vertx = vertx;
    this.limitMillis = limitMillis;
    this.onIdle = onIdle;
  }

  /** Starts counting from now. */
  public void start() {
    touch();
    arm(limitMillis);
  }

  /** A byte came. */
  public void touch() {
    lastActivityNanos = System.nanoTime();
  }

  public void cancel() {
    cancelled = true;
    vertx.cancelTimer(timer);
  }

  private void arm(long delayMillis) {
    timer =
        vertx.setTimer(
            Math.max(1, delayMillis),
            t -> {
              if (cancelled) {
                return;
              }
              long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
              if (idle >= limitMillis) {
                onIdle.run();
              } else {
                arm(limitMillis - idle);
              }
            });
  }
}
