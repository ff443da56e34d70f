package p2psync.common;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Reading a verticle's event-loop state from any thread, by hopping onto its context. */
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
}
