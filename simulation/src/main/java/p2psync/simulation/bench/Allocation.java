package p2psync.simulation.bench;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the live threads of this JVM so far (HotSpot's per-thread counters), or
 * -1.
 */
final class Allocation {
  private Allocation() {}

  static long total() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported()) {
      return -1;
    }
    long[] ids = threads.getAllThreadIds();
    long sum = 0;
    for (long bytes : threads.getThreadAllocatedBytes(ids)) {
      if (bytes > 0) {
        sum += bytes;
      }
    }
    return sum;
  }
}
