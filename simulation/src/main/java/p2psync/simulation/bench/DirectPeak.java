package p2psync.simulation.bench;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples off-heap buffer memory (JDK direct buffers plus Netty's own count) every 10 ms on a
 * daemon thread.
 */
final class DirectPeak {
  private final AtomicLong peak = new AtomicLong();
  private volatile boolean stopped;
  private final Thread sampler;

  private DirectPeak() {
    sampler = new Thread(this::sample, "direct-memory-sampler");
    sampler.setDaemon(true);
  }

  static DirectPeak start() {
    DirectPeak d = new DirectPeak();
    d.sampler.start();
    return d;
  }

  static long now() {
    long jdk =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct"))
            .mapToLong(BufferPoolMXBean::getMemoryUsed)
            .sum();
    long netty = PlatformDependent.usedDirectMemory();
    return jdk + Math.max(0, netty);
  }

  private void sample() {
    while (!stopped) {
      peak.accumulateAndGet(now(), Math::max);
      try {
        Thread.sleep(10); // a sampler thread of its own, not an event loop
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  long stop() {
    stopped = true;
    sampler.interrupt();
    return Math.max(peak.get(), now());
  }
}
