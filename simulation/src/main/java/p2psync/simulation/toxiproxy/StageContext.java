package p2psync.simulation.toxiproxy;

import io.vertx.core.Vertx;

/** What a toxic stage may ask of the link it sits in. */
interface StageContext {
  /** For timers; they fire on the link's event loop. */
  Vertx vertx();

  /** Bytes the toxic swallowed, so that the link stops counting them against its buffer bound. */
  void dropped(int bytes);

  /**
   * Ends the connection as reset_peer does: a TCP RST to both peers where a reset_peer toxic was
   * there when the connection opened (Toxiproxy then sets SO_LINGER 0 on both sockets), else a
   * plain close, which Toxiproxy does for a reset_peer added to a live connection.
   */
  void resetConnection();
}
