package p2psync.simulation.toxiproxy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

/**
 * The one event loop all of the embedded server's state lives on (proxies, their connections and
 * toxic stages, the API's queue), so that none of it needs a lock.
 *
 * <p>Vert.x does not always call back there: {@code NetServer.close()} completes on its acceptor
 * thread, with no context. A proxy that moved (a new upstream, as the simulation sets on every
 * peer's proxy) was listening again from that thread, so Vert.x gave its new listener, and every
 * socket it accepted, to the acceptor's loop, while the API changed the same proxy's connection set
 * and toxic chains from this one: the race behind the API's one {@code Index 10 out of bounds for
 * length 10}. So every Vert.x future the server goes on from is brought back here first, and the
 * two places that decide which thread touches the state check it.
 */
final class ServerLoop {
  private final ContextInternal context;

  ServerLoop(Context context) {
    this.context = (ContextInternal) context;
  }

  /** {@code future}'s outcome, with every callback chained on it run on this loop. */
  <T> Future<T> back(Future<T> future) {
    PromiseInternal<T> onLoop = context.promise();
    future.onComplete(onLoop);
    return onLoop.future();
  }

  /**
   * Throws unless called on this loop: a listener bound, or an API request run, anywhere else would
   * hand the state to two threads.
   */
  void confine(String what) {
    if (!context.nettyEventLoop().inEventLoop()) {
      throw new IllegalStateException(
          what
              + " off the embedded Toxiproxy's event loop, on "
              + Thread.currentThread().getName());
    }
  }
}
