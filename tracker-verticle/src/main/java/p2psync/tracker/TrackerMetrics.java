package p2psync.tracker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import p2psync.common.web.Metrics;

/**
 * A tracker's {@code p2psync_tracker_*} meters. The gauges read the published {@link
 * TrackerSnapshot}, so a scrape from any thread sees a consistent directory; the timers are
 * recorded on the event loop.
 */
final class TrackerMetrics {
  /**
   * Bucket bounds of the message-handling histogram: a KeepAlive takes microseconds, an Init of a
   * thousand names a millisecond or so, a storm's worst cases more.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(25),
    Duration.ofMillis(100)
  };

  final PrometheusMeterRegistry registry = Metrics.newRegistry();
  final Timer init = messageTimer("init");
  final Timer keepAlive = messageTimer("keepalive");

  TrackerMetrics(Supplier<TrackerSnapshot> snapshot) {
    Gauge.builder("p2psync_tracker_peers", () -> snapshot.get().peerCount())
        .description("peers in the directory (this node's and, in a cluster, the others')")
        .register(registry);
    Gauge.builder("p2psync_tracker_directory_names", () -> snapshot.get().nameCount())
        .description("names in the directory")
        .register(registry);
    FunctionCounter.builder("p2psync_tracker_directory_encodes", snapshot, s -> s.get().encodes())
        .description("times the directory line was built (once per change)")
        .register(registry);
  }

  private Timer messageTimer(String type) {
    return Timer.builder("p2psync_tracker_message")
        .description("time to handle one peer line, reply included (Init: the first line)")
        .tag("type", type)
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }
}
