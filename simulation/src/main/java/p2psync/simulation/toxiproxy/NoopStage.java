package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/** Toxiproxy's "noop" toxic: passes everything through (toxics/noop.go). */
final class NoopStage extends ToxicStage {
  NoopStage(Toxic toxic, StageContext context) {
    super(toxic, context);
  }

  @Override
  protected void onData(Buffer data) {
    out.write(data);
  }
}
