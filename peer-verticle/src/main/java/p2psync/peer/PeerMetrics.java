package p2psync.peer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import p2psync.common.web.Metrics;

/** A peer's {@code p2psync_peer_*} meters; counters, so any thread may scrape them. */
final class PeerMetrics {
  final PrometheusMeterRegistry registry = Metrics.newRegistry();
  private final Counter completed =
      Counter.builder("p2psync_peer_downloads_completed")
          .description("downloads finished and renamed into place")
          .register(registry);
  private final Counter received =
      Counter.builder("p2psync_peer_bytes_received")
          .description("file bytes received by downloads, finished or not")
          .baseUnit("bytes")
          .register(registry);
  private final Counter sent =
      Counter.builder("p2psync_peer_bytes_sent")
          .description("file bytes sent to other peers")
          .baseUnit("bytes")
          .register(registry);
  private final Counter uploads =
      Counter.builder("p2psync_peer_uploads")
          .description("file requests answered with a file")
          .register(registry);
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();

  void downloadCompleted() {
    completed.increment();
  }

  void downloadFailed(String reason) {
    failed
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("p2psync_peer_downloads_failed")
                    .description("downloads failed (each is retried on a later directory)")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  void bytesReceived(long bytes) {
    received.increment(bytes);
  }

  void uploadServed(long bytes) {
    uploads.increment();
    sent.increment(bytes);
  }

  /**
   * {@code limit}: maxConcurrentUploads reached and maxQueuedUploads waiting; {@code waited}:
   * waited requestTimeout for a slot; {@code request}: a request not served.
   */
  void uploadRefused(String reason) {
    refused
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("p2psync_peer_uploads_refused")
                    .description("file connections closed without the file")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }
}
