package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Cuts each chunk into slices of about {@code average_size} ± {@code size_variation} bytes, {@code
 * delay} µs apart (toxics/slicer.go: split around the middle, recursively, until a piece is small
 * enough). Unlike Go, every slice keeps at least one byte, so a zero or too-small average cannot
 * recurse forever.
 */
final class SlicerStage extends TimedStage {
  private long nextSliceNanos = Long.MIN_VALUE;

  SlicerStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    long spacingNanos = Math.max(0, attribute("delay")) * 1_000;
    List<Integer> cuts = new ArrayList<>();
    cut(0, data.length(), cuts);
    int from = 0;
    for (int to : cuts) {
      long due = Math.max(System.nanoTime(), nextSliceNanos);
      queue.add(data.slice(from, to), due);
      nextSliceNanos = due + spacingNanos;
      from = to;
    }
  }

  @Override
  protected void onEnd() {
    queue.addEnd(Math.max(System.nanoTime(), nextSliceNanos));
  }

  /** Appends to {@code cuts} the end offset of each slice of [start, end), in order. */
  private void cut(int start, int end, List<Integer> cuts) {
    long average = attribute("average_size");
    long variation = attribute("size_variation");
    if (end - start - average <= variation || end - start < 2) {
      cuts.add(end);
      return;
    }
    long middle = start + (end - start) / 2;
    if (variation > 0) {
      middle += ThreadLocalRandom.current().nextLong(-variation, variation);
    }
    int split = (int) Math.max(start + 1, Math.min(end - 1, middle));
    cut(start, split, cuts);
    cut(split, end, cuts);
  }
}
