package p2psync.peer.receive;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The threads {@link FileSink}s write on. */
public final class Writers {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private Writers() {}

  /**
   * A pool of at most {@code threads} daemon threads named {@code p2psync-writer-P-N} (P tells the
   * peers of one JVM apart in a profile), started on demand.
   */
  public static ExecutorService newPool(int threads) {
    int pool = POOLS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread thread =
              new Thread(task, "p2psync-writer-" + pool + "-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    return new ThreadPoolExecutor(
        threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
  }
}
