package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/**
 * Passes exactly {@code bytes} bytes of this direction, then closes the connection
 * (toxics/limit_data.go). The count belongs to the connection and survives updates of the toxic; as
 * in Toxiproxy, the close happens once data reaches the limit, so a limit of 0 closes on the first
 * data, not at once.
 */
final class LimitDataStage extends ToxicStage {
  private long transmitted;
  private boolean closed;

  LimitDataStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    long limit = attribute("bytes");
    int passed = closed ? 0 : (int) Math.min(Math.max(0, limit - transmitted), data.length());
    if (passed > 0) {
      out.write(passed == data.length() ? data : data.slice(0, passed));
      transmitted += passed;
    }
    if (passed < data.length()) {
      context.dropped(data.length() - passed);
    }
    if (transmitted >= limit) {
      closeConnection();
    }
  }

  @Override
  protected void onEnd() {
    closeConnection();
  }

  private void closeConnection() {
    if (!closed) {
      closed = true;
      out.end();
    }
  }
}
