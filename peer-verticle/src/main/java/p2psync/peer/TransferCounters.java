package p2psync.peer;

import java.util.concurrent.atomic.LongAdder;

/**
 * A peer's download totals. Written on the peer's event loop, read from any thread (a simulation
 * samples them from its own): adders, not plain fields, so every reader sees the counts so far.
 */
public final class TransferCounters {
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder bytes = new LongAdder();

  /** Downloads finished. */
  public long completed() {
    return completed.sum();
  }

  /** Downloads failed (each is retried on a later directory). */
  public long failed() {
    return failed.sum();
  }

  /** Bytes of the finished downloads. */
  public long bytes() {
    return bytes.sum();
  }

  void addCompleted(long fileBytes) {
    completed.increment();
    bytes.add(fileBytes);
  }

  void addFailed() {
    failed.increment();
  }
}
