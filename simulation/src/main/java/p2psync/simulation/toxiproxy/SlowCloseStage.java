package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/** Passes data, but holds the end for {@code delay} ms before closing (toxics/slow_close.go). */
final class SlowCloseStage extends ToxicStage {
  private long timerId = -1;

  SlowCloseStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    out.write(data);
  }

  @Override
  protected void onEnd() {
    long delay = attribute("delay");
    if (delay <= 0) {
      out.end();
    } else {
      timerId =
          context
              .vertx()
              .setTimer(
                  delay,
                  id -> {
                    timerId = -1;
                    out.end();
                  });
    }
  }

  @Override
  protected void release() {
    if (timerId >= 0) {
      cancel();
      out.end();
    }
  }

  @Override
  protected void cancel() {
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }
}
