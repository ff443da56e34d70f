package p2psync.simulation.toxiproxy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Data (and finally the end) held back until a due time, released in order with one timer at a
 * time. Due times are in {@link System#nanoTime()} terms; Vert.x timers count whole milliseconds,
 * so a release is never early, and sub-millisecond spacing (the slicer's microseconds) comes out as
 * small batches per millisecond.
 */
final class TimedQueue {
  private record Held(Buffer data, long dueNanos) {} // data null: the end

  private final Vertx vertx;
  private final Downstream target;
  private final Deque<Held> held = new ArrayDeque<>();
  private long lastDueNanos = Long.MIN_VALUE;
  private long timerId = -1;
  private boolean releasing; // emitting can re-enter add() through the chain

  TimedQueue(Vertx vertx, Downstream target) {
    this.vertx = vertx;
    this.target = target;
  }

  /** The due time of the last thing queued, or {@code now} if that is later. */
  long lastDueOr(long now) {
    return Math.max(lastDueNanos, now);
  }

  void add(Buffer data, long dueNanos) {
    hold(new Held(data, dueNanos));
  }

  void addEnd(long dueNanos) {
    hold(new Held(null, dueNanos));
  }

  /** Releases everything now, ignoring due times. */
  void releaseAll() {
    stopTimer();
    while (!held.isEmpty()) {
      emit(held.poll());
    }
  }

  /** Stops the timer and forgets what is held: the connection is gone. */
  void cancel() {
    stopTimer();
    held.clear();
  }

  private void stopTimer() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void hold(Held item) {
    // Never before what is already queued, so that order is kept.
    Held ordered = new Held(item.data, Math.max(item.dueNanos, lastDueNanos));
    lastDueNanos = ordered.dueNanos;
    held.add(ordered);
    if (timerId < 0 && !releasing) {
      releaseDue();
    }
  }

  private void releaseDue() {
    timerId = -1;
    long now = System.nanoTime();
    releasing = true;
    try {
      while (!held.isEmpty() && held.peek().dueNanos <= now) {
        emit(held.poll());
      }
    } finally {
      releasing = false;
    }
    if (!held.isEmpty() && timerId < 0) {
      long waitNanos = held.peek().dueNanos - now;
      long waitMillis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
      timerId = vertx.setTimer(waitMillis, id -> releaseDue());
    }
  }

  private void emit(Held item) {
    if (item.data == null) {
      target.end();
    } else {
      target.write(item.data);
    }
  }
}
