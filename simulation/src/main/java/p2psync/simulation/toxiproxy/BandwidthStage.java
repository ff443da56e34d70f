package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/**
 * Passes data at {@code rate} KB/s, where, as in toxics/bandwidth.go, a KB is 1000 bytes (rate is
 * bytes per millisecond). Each piece is released once its transmission time has passed; chunks
 * larger than 100 ms worth are cut so that the reader sees steady progress. A rate of 0 or less
 * means no limit.
 */
final class BandwidthStage extends TimedStage {

  BandwidthStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    long now = System.nanoTime();
    long bytesPerMilli = attribute("rate");
    if (bytesPerMilli <= 0) {
      queue.add(data, now);
      return;
    }
    int maxPiece = (int) Math.min(bytesPerMilli * 100, Integer.MAX_VALUE);
    for (int from = 0; from < data.length(); from += maxPiece) {
      int to = (int) Math.min((long) from + maxPiece, data.length());
      long transmissionNanos = (to - from) * 1_000_000L / bytesPerMilli;
      queue.add(data.slice(from, to), queue.lastDueOr(now) + transmissionNanos);
    }
  }
}
