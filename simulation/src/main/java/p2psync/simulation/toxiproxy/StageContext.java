package p2psync.simulation.toxiproxy;

import io.vertx.core.Vertx;

/** What a toxic stage may ask of the link it sits in. */
interface StageContext {
  /** For timers; they fire on the link's event loop. */
  Vertx vertx();

  /** Bytes the toxic swallowed, so that the link stops counting them against its buffer bound. */
  void dropped(int bytes);

  /** Aborts the whole connection with a TCP RST to both peers. */
  void resetConnection();
}
