package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;

/** Where one step of a link hands its bytes: the next toxic stage, or the destination socket. */
interface Downstream {
  void write(Buffer data);

  /** No more data: the destination is closed once everything before this has been written. */
  void end();
}
