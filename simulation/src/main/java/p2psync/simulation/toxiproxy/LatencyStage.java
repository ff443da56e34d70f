package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays each chunk by {@code latency} ± {@code jitter} ms from when it arrived, keeping order
 * (toxics/latency.go). Chunks are pipelined, so latency does not cap throughput beyond the link's
 * buffer bound. The end follows the last chunk.
 */
final class LatencyStage extends TimedStage {

  LatencyStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    queue.add(data, System.nanoTime() + delayMillis() * 1_000_000);
  }

  private long delayMillis() {
    long jitter = attribute("jitter");
    long offset = jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter) : 0;
    return attribute("latency") + offset;
  }
}
