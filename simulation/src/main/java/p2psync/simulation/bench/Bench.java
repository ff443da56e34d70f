package p2psync.simulation.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import p2psync.simulation.Blocking;
import p2psync.simulation.Swarm;

/**
 * Small helpers shared by the benchmarks. They block: call them from a main thread, never an event
 * loop.
 */
final class Bench {
  private Bench() {}

  /**
   * Deletes a benchmark's temp folder; a failure is reported, not thrown, as cleanup comes last.
   */
  static void deleteTree(Path root) {
    if (root == null) {
      return;
    }
    try {
      Blocking.deleteTree(root);
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e.getMessage());
    }
  }

  /** Stops a swarm benchmark's peers and tracker, its Vert.x, and deletes its folders. */
  static void stop(Swarm swarm, Vertx vertx, Path root) {
    try {
      Blocking.await(swarm.stopAll(), Duration.ofSeconds(60));
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(60));
      deleteTree(root);
    }
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** The {@code q} quantile (0..1) of sorted nanosecond values, nearest rank. */
  static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  static long[] sorted(long[] values, int count) {
    long[] copy = Arrays.copyOf(values, count);
    Arrays.sort(copy);
    return copy;
  }

  static String ms(long nanos) {
    return String.format("%.2f ms", nanos / 1e6);
  }
}
