package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/**
 * Drops all data and closes the connection after {@code timeout} ms without data; with a timeout of
 * 0 it never closes (toxics/timeout.go: the timer is re-armed on every chunk). Deleting the toxic
 * closes the connections it was holding, as its Cleanup does in Toxiproxy: the data it swallowed is
 * gone, so the stream cannot go on.
 */
final class TimeoutStage extends ToxicStage {
  private long timerId = -1;
  private boolean closed;

  TimeoutStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onStart() {
    restartTimer();
  }

  @Override
  protected void onUpdate() {
    restartTimer();
  }

  @Override
  protected void onData(Buffer data) {
    context.dropped(data.length());
    restartTimer();
  }

  @Override
  protected void onEnd() {
    closeConnection();
  }

  @Override
  protected void onRemove() {
    closeConnection();
  }

  @Override
  protected void cancel() {
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void restartTimer() {
    cancel();
    long timeout = attribute("timeout");
    if (timeout > 0 && !closed) {
      timerId =
          context
              .vertx()
              .setTimer(
                  timeout,
                  id -> {
                    timerId = -1;
                    closeConnection();
                  });
    }
  }

  private void closeConnection() {
    if (!closed) {
      closed = true;
      cancel();
      out.end();
    }
  }
}
