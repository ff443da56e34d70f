package p2psync.simulation.toxiproxy;

/**
 * A stage that hands data on at computed times through a {@link TimedQueue} (latency, bandwidth,
 * slicer): the end waits behind the data by default, and a removed toxic releases what it holds.
 */
abstract class TimedStage extends ToxicStage {
  protected final TimedQueue queue;

  protected TimedStage(Toxic toxic, StageContext context) {
    super(toxic, context);
    queue = new TimedQueue(context.vertx(), out);
  }

  @Override
  protected void onEnd() {
    queue.addEnd(System.nanoTime());
  }

  @Override
  protected void release() {
    queue.releaseAll();
  }

  @Override
  protected void cancel() {
    queue.cancel();
  }
}
