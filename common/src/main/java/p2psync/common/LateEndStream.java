package p2psync.common;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A socket (or any byte stream) whose end is held back by a {@link LateEndGuard}: the one place the
 * rule of eclipse-vertx/vert.x#5748 lives. Reading through this stream instead of the socket lets
 * owners pause, resume, fetch and pipe as usual; the end handler is called only once no held-back
 * data can still come.
 *
 * <p>The guard must know whether the source is paused, so this stream keeps the demand itself:
 * {@code pause()} sets it to 0, {@code resume()} to unbounded, {@code fetch(n)} adds n, and every
 * item delivered uses one up.
 */
public final class LateEndStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final LateEndGuard guard;
  private long demand = Long.MAX_VALUE;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  /** Over a source that may have been paused already: every end waits for the guard's grace. */
  public LateEndStream(Vertx vertx, ReadStream<Buffer> source) {
    this(vertx, source, true);
  }

  private LateEndStream(Vertx vertx, ReadStream<Buffer> source, boolean mayHoldData) {
    this.source = source;
    this.guard = new LateEndGuard(vertx, this::ended, mayHoldData);
    source.endHandler(v -> guard.endSignalled());
  }

  /**
   * Over a source never paused so far (a socket just connected, its handlers set at once): its end
   * is passed on without delay unless this stream pauses it first, since only a pause makes Vert.x
   * hold data back behind the end.
   */
  public static LateEndStream neverPaused(Vertx vertx, ReadStream<Buffer> source) {
    return new LateEndStream(vertx, source, false);
  }

  @Override
  public LateEndStream exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public LateEndStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    source.handler(handler == null ? null : this::deliver);
    return this;
  }

  @Override
  public LateEndStream pause() {
    if (demand > 0) {
      demand = 0;
      guard.paused();
    }
    source.pause();
    return this;
  }

  @Override
  public LateEndStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public LateEndStream fetch(long amount) {
    if (amount <= 0) {
      return this;
    }
    boolean wasPaused = demand == 0;
    demand = demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    // Before the source's fetch: that may deliver held data at once, and use the demand up again.
    if (wasPaused) {
      guard.resumed();
    }
    source.fetch(amount);
    return this;
  }

  @Override
  public LateEndStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void deliver(Buffer data) {
    guard.dataReceived();
    if (demand != Long.MAX_VALUE && --demand == 0) {
      guard.paused();
    }
    Handler<Buffer> current = handler;
    if (current != null) {
      current.handle(data);
    }
  }

  private void ended() {
    Handler<Void> current = endHandler;
    if (current != null) {
      current.handle(null);
    }
  }
}
