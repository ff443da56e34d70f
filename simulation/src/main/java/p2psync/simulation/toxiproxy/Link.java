package p2psync.simulation.toxiproxy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import p2psync.common.LateEndStream;

/**
 * One direction of a proxied connection: bytes read from the source socket go through the toxic
 * stages of that direction, in the order the toxics were added, into the destination socket. When
 * the end reaches the destination it is closed, which in turn ends the other direction: like
 * Toxiproxy (link.go), a half-close closes the whole connection.
 *
 * <p>Backpressure: the source is paused while the destination's write queue is full, or while more
 * than {@link #PAUSE_ABOVE_BYTES} read bytes are still inside the stages (held by latency or
 * bandwidth), so memory per link stays bounded whatever the toxics do. The source's end goes is
 * read through a {@link LateEndStream}, as data Vert.x 5.0.7 still holds for a paused socket comes
 * after it.
 */
final class Link implements StageContext {
  private static final long PAUSE_ABOVE_BYTES = 1 << 20;
  private static final long RESUME_BELOW_BYTES = PAUSE_ABOVE_BYTES / 2;

  private final Vertx vertx;
  private final ProxyConnection connection;
  private final LateEndStream source;
  private final NetSocket destination;
  private final List<ToxicStage> stages = new ArrayList<>();
  private final Downstream sink =
      new Downstream() {
        @Override
        public void write(Buffer data) {
          if (!destinationEnded) {
            destination.write(data);
          }
          leftChain(data.length());
        }

        @Override
        public void end() {
          if (!destinationEnded) {
            destinationEnded = true;
            destination.end();
          }
        }
      };
  private long bytesInChain;
  private boolean sourcePaused;
  private boolean destinationEnded;

  /**
   * {@code sourceNeverPaused} for the upstream socket, just connected: its end (a server closing)
   * then reaches the client at once, as through Toxiproxy, not after LateEndGuard's grace. The
   * client socket was paused until the upstream answered, so its end keeps the grace.
   */
  Link(
      Vertx vertx,
      ProxyConnection connection,
      NetSocket source,
      NetSocket destination,
      boolean sourceNeverPaused) {
    this.vertx = vertx;
    this.connection = connection;
    this.source =
        sourceNeverPaused
            ? LateEndStream.neverPaused(vertx, source)
            : new LateEndStream(vertx, source);
    this.destination = destination;
  }

  void start(List<Toxic> toxics) {
    toxics.forEach(this::addToxic);
    destination.drainHandler(v -> updateFlow());
    source.handler(this::read);
    source.endHandler(v -> head().end());
    // A peer's RST or a broken pipe needs no handling of its own: the close that follows ends
    // this link through endHandler, as an ordinary close does.
    source.exceptionHandler(failure -> {});
  }

  /** New toxics go last, nearest the destination, as in Toxiproxy. */
  void addToxic(Toxic toxic) {
    ToxicStage stage = toxic.kind().newStage(toxic, this);
    stage.next(sink);
    if (!stages.isEmpty()) {
      stages.get(stages.size() - 1).next(stage);
    }
    stages.add(stage);
    stage.start();
  }

  void updateToxic(Toxic toxic) {
    int index = indexOf(toxic.name());
    if (index >= 0) {
      stages.get(index).update(toxic);
    }
  }

  void removeToxic(Toxic toxic) {
    int index = indexOf(toxic.name());
    if (index < 0) {
      return;
    }
    ToxicStage stage = stages.get(index);
    // Hand on what the stage holds before unlinking it, so that nothing overtakes it.
    stage.remove();
    stages.remove(index);
    if (index > 0) {
      stages.get(index - 1).next(stage.next());
    }
  }

  /** The connection is gone: stop every stage's timers. */
  void close() {
    stages.forEach(ToxicStage::close);
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void dropped(int bytes) {
    leftChain(bytes);
  }

  @Override
  public void resetConnection() {
    if (connection.lingersZero()) {
      connection.reset();
    } else {
      sink.end(); // a FIN to the destination, which closes the whole connection
    }
  }

  private Downstream head() {
    return stages.isEmpty() ? sink : stages.get(0);
  }

  private void read(Buffer data) {
    bytesInChain += data.length();
    head().write(data);
    updateFlow();
  }

  private void leftChain(int bytes) {
    bytesInChain -= bytes;
    updateFlow();
  }

  private void updateFlow() {
    boolean destinationFull = !destinationEnded && destination.writeQueueFull();
    if (!sourcePaused && (destinationFull || bytesInChain > PAUSE_ABOVE_BYTES)) {
      sourcePaused = true;
      source.pause();
    } else if (sourcePaused && !destinationFull && bytesInChain < RESUME_BELOW_BYTES) {
      sourcePaused = false;
      source.resume();
    }
  }

  private int indexOf(String toxicName) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).toxic().name().equals(toxicName)) {
        return i;
      }
    }
    return -1;
  }
}
