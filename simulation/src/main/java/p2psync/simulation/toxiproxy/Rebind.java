package p2psync.simulation.toxiproxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Listening again on a fixed port right after closing it: Vert.x 5 can report a server closed a
 * moment before the operating system lets the port go, so such a bind is retried for a short while.
 * A bind to port 0 is never retried. It sits in the toxiproxy package, the lower layer, so that
 * both the proxies and the simulation's {@code Swarm} use it without the packages depending on each
 * other.
 */
public final class Rebind {
  public static final int ATTEMPTS = 40;
  public static final Duration DELAY = Duration.ofMillis(50);

  private Rebind() {}

  /**
   * Runs {@code attempt} (a listen or a deployment that listens on {@code port}) until it succeeds.
   */
  public static <T> Future<T> retrying(Vertx vertx, int port, Supplier<Future<T>> attempt) {
    return retrying(vertx, port, attempt, ATTEMPTS);
  }

  private static <T> Future<T> retrying(
      Vertx vertx, int port, Supplier<Future<T>> attempt, int attemptsLeft) {
    return attempt
        .get()
        .recover(
            failure ->
                port == 0 || attemptsLeft <= 1
                    ? Future.failedFuture(failure)
                    : vertx
                        .timer(DELAY.toMillis())
                        .compose(v -> retrying(vertx, port, attempt, attemptsLeft - 1)));
  }
}
