package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One toxic applied to one direction of one connection. Stages form a chain from the source socket
 * to the destination socket; each hands its output to {@link #out}, which follows the chain as
 * toxics are added and removed.
 *
 * <p>Toxicity is rolled when the stage starts and again on each update of its toxic (Toxiproxy
 * rolls whenever it (re)starts a toxic's pipe, toxics/toxic.go). A stage that rolled "off" passes
 * everything straight on.
 *
 * <p>All calls come from the one event loop of the embedded server, so there is no locking.
 */
abstract class ToxicStage implements Downstream {
  protected final StageContext context;
  private Toxic toxic;
  private boolean active;
  private boolean ended;
  private Downstream next;

  /** The rest of the chain after this stage, whatever it is at the moment of the call. */
  protected final Downstream out =
      new Downstream() {
        @Override
        public void write(Buffer data) {
          next.write(data);
        }

        @Override
        public void end() {
          next.end();
        }
      };

  protected ToxicStage(Toxic toxic, StageContext context) {
    this.toxic = toxic;
    this.context = context;
  }

  Toxic toxic() {
    return toxic;
  }

  Downstream next() {
    return next;
  }

  void next(Downstream next) {
    this.next = next;
  }

  /** Called once the stage sits in its chain. */
  final void start() {
    active = rollToxicity();
    if (active) {
      onStart();
    }
  }

  @Override
  public final void write(Buffer data) {
    if (ended) {
      // Nothing follows an end. Bytes still come when a stage before this one ended the stream
      // and was then removed (a timeout or limit_data toxic deleted): Toxiproxy leaves such a
      // closed stub in the chain, so nothing it held back gets past; here this stage drops them,
      // rather than let them overtake an end it holds (slow_close) with a hole before them.
      context.dropped(data.length());
      return;
    }
    if (active) {
      onData(data);
    } else {
      out.write(data);
    }
  }

  @Override
  public final void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (active) {
      onEnd();
    } else {
      out.end();
    }
  }

  /** The toxic was updated: new attributes, a new toxicity roll. */
  final void update(Toxic updated) {
    boolean wasActive = active;
    toxic = updated;
    active = rollToxicity();
    if (wasActive && !active) {
      release();
      cancel();
    } else if (active) {
      onUpdate();
    }
  }

  /** The toxic was deleted while the connection lives; the stage is unlinked right after. */
  final void remove() {
    if (active) {
      onRemove();
    }
    cancel();
  }

  /** The connection is gone: stop timers and forget anything held. */
  final void close() {
    cancel();
  }

  protected long attribute(String name) {
    return toxic.attribute(name);
  }

  protected void onStart() {}

  protected abstract void onData(Buffer data);

  protected void onEnd() {
    out.end();
  }

  /** Called after an update that leaves the stage active; attributes are read afresh anyway. */
  protected void onUpdate() {}

  /** By default a deleted toxic hands on what it holds at once, as Toxiproxy's RemoveToxic. */
  protected void onRemove() {
    release();
  }

  /** Hands on at once whatever the stage holds back, in order, including a held end. */
  protected void release() {}

  /** Stops the stage's timers. */
  protected void cancel() {}

  private boolean rollToxicity() {
    return ThreadLocalRandom.current().nextFloat() < toxic.toxicity();
  }
}
