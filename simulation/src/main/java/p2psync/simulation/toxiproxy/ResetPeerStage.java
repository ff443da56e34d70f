package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/**
 * On the first data (or end) after it starts, drops it and, {@code timeout} ms later, resets the
 * connection: both peers get a TCP RST (toxics/reset_peer.go with the SO_LINGER 0 that link.go
 * sets), or, for a toxic added to a live connection (no SO_LINGER 0 then), a plain close. Toxiproxy
 * cannot call off a reset once armed, so deleting the toxic then resets at once rather than leave a
 * stream with a hole in it.
 */
final class ResetPeerStage extends ToxicStage {
  private boolean armed;
  private long timerId = -1;

  ResetPeerStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    context.dropped(data.length());
    arm();
  }

  @Override
  protected void onEnd() {
    arm();
  }

  @Override
  protected void release() {
    if (armed) {
      cancel();
      context.resetConnection();
    }
  }

  @Override
  protected void cancel() {
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void arm() {
    if (armed) {
      return;
    }
    armed = true;
    long timeout = attribute("timeout");
    if (timeout <= 0) {
      context.resetConnection();
    } else {
      timerId =
          context
              .vertx()
              .setTimer(
                  timeout,
                  id -> {
                    timerId = -1;
                    context.resetConnection();
                  });
    }
  }
}
