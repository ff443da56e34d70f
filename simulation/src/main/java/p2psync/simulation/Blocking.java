package p2psync.simulation;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Waiting and cleaning up from a plain thread (a command's main thread, a sampler, a test): never
 * call these on an event loop. Shared by the demo, the simulation, the benchmarks and the tests.
 */
public final class Blocking {
  private Blocking() {}

  /** The future's result; its failure, or running out of time, as an IllegalStateException. */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      // some failures have no message (a ConcurrentModificationException): their type must show
      throw new IllegalStateException(
          cause.getMessage() != null ? cause.getMessage() : cause.toString(), cause);
    } catch (Exception e) {
      throw new IllegalStateException("gave up waiting: " + e, e);
    }
  }

  /**
   * Polls {@code condition} every {@code period} until it holds; returns the {@link
   * System#nanoTime()} at which it was seen to hold, or throws an IllegalStateException at the
   * deadline.
   */
  public static long waitFor(
      BooleanSupplier condition, Duration period, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return System.nanoTime();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(period.toNanos());
    }
  }

  /** Deletes a folder and everything below it; a missing folder is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
