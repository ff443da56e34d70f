package p2psync.peer.delta;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import p2psync.common.DirectoryEntry;
import p2psync.common.OnContext;

/**
 * The safety net under directory deltas: every {@code directorySweepInterval} it walks the whole
 * held directory, handing its names on in batches of {@link #BATCH} names, one batch per event-loop
 * turn, to be looked at as a directory naming them would. A delta names only what changed at the
 * tracker; a name passed over for a reason that went away here without the directory changing (each
 * such reason found is fixed where it arises, see FolderSync's relook) is then still fetched or
 * deleted within one interval, not only after the next whole directory.
 *
 * <p>A sweep looks at a snapshot of the names as they were when it began; each batch reads the
 * directory as it is then. Not thread-safe: started and run on the peer's event loop.
 */
public final class DirectorySweep {
  /** Names looked at per event-loop turn: well under a millisecond of map look-ups. */
  static final int BATCH = 256;

  private final Vertx vertx;
  private final Supplier<Map<String, DirectoryEntry>> directory;
  private final BiConsumer<Map<String, DirectoryEntry>, Set<String>> look;
  private long timer = -1;
  private boolean sweeping;
  private boolean stopped;
  private long sweeps;

  /**
   * @param directory the held directory now, or null while there is none to trust (no version held,
   *     or a whole directory asked for)
   * @param look looks at the given names of the given directory
   */
  public DirectorySweep(
      Vertx vertx,
      Supplier<Map<String, DirectoryEntry>> directory,
      BiConsumer<Map<String, DirectoryEntry>, Set<String>> look) {
    this.vertx = vertx;
    this.directory = directory;
    this.look = look;
  }

  /** Sweeps every {@code interval} from now on; {@code 0s}: never. Call on the event loop. */
  public void start(Duration interval) {
    if (!interval.isZero()) {
      timer = vertx.setPeriodic(Math.max(1, interval.toMillis()), t -> sweep());
    }
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /** Sweeps begun so far. */
  public long sweeps() {
    return sweeps;
  }

  private void sweep() {
    Map<String, DirectoryEntry> held = directory.get();
    if (sweeping || stopped || held == null || held.isEmpty()) {
      return; // the previous sweep is not done: a slow loop is not given more to do
    }
    sweeping = true;
    sweeps++;
    next(new ArrayList<>(held.keySet()), 0);
  }

  private void next(List<String> names, int from) {
    Map<String, DirectoryEntry> held = directory.get();
    if (stopped || held == null) {
      sweeping = false;
      return;
    }
    int to = Math.min(names.size(), from + BATCH);
    look.accept(held, Set.copyOf(names.subList(from, to)));
    if (to < names.size()) {
      OnContext.afterNextPoll(vertx, () -> next(names, to));
    } else {
      sweeping = false;
    }
  }
}
