package p2psync.common;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reading a verticle's event-loop state from any thread, by hopping onto its context; and spreading
 * a long piece of work over an event loop's turns.
 */
public final class OnContext {
  private OnContext() {}

  /**
   * {@code read} on {@code context}: at once when called there, otherwise on its next turn (a
   * failure of {@code read} fails the future).
   */
  public static <T> Future<T> call(Context context, Supplier<T> read) {
    if (Vertx.currentContext() == context) {
      try {
        return Future.succeededFuture(read.get());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            result.complete(read.get());
          } catch (RuntimeException e) {
            result.fail(e);
          }
        });
    return result.future();
  }

  /**
   * Runs {@code task} on the current context once its event loop has polled its sockets again, so
   * that messages read meanwhile are handled first: the way to cut a long piece of work (a push to
   * thousands of peers, a sweep of a whole directory) into batches that let reads in between.
   * {@code runOnContext} would not do: Netty runs the tasks queued while it runs tasks in the same
   * go (for up to a second, {@code io.netty.eventLoop.maxTaskProcessingQuantumMs}), so batches
   * chained that way never let a read in. A scheduled task due now is taken in only at the start of
   * the next go, after the poll. Call on an event-loop context.
   */
  public static void afterNextPoll(Vertx vertx, Runnable task) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    context
        .nettyEventLoop()
        .schedule(() -> context.runOnContext(v -> task.run()), 0, TimeUnit.NANOSECONDS);
  }
}
