package p2psync.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * When the simulated users edit and delete what, drawn from the seed: each kind of {@link
 * WorkloadEvent} on half the peers (at least two events), at times within the middle of the fault
 * phase, so that they meet the faults and leave time to converge. Never on a peer that leaves (its
 * folder is not judged). Each kind draws from a stream of its own, as the faults do.
 */
public final class EventPlan {
  /**
   * One event: on {@code peer} (and {@code other} for a concurrent edit, else -1), at {@code
   * atMillis} from the start; {@code seed} draws which file and what content.
   */
  public record Event(int id, WorkloadEvent kind, int peer, int other, long atMillis, long seed) {
    public String describe() {
      return kind
          + " on "
          + FaultPlan.peerName(peer)
          + (other < 0 ? "" : " and " + FaultPlan.peerName(other));
    }
  }

  private EventPlan() {}

  public static List<Event> draw(
      long seed, int peers, Set<WorkloadEvent> kinds, Duration duration, FaultPlan plan) {
    long span = duration.toMillis();
    List<Integer> eligible =
        IntStream.range(0, peers).filter(p -> !plan.leaves(p)).boxed().toList();
    List<Event> events = new ArrayList<>();
    if (eligible.size() < 2) {
      return events;
    }
    for (WorkloadEvent kind : kinds) {
      Random random = new Random(seed * 131 + kind.ordinal());
      int count = Math.max(2, eligible.size() / 2);
      for (int i = 0; i < count; i++) {
        int peer = eligible.get(random.nextInt(eligible.size()));
        int other = -1;
        if (kind == WorkloadEvent.CONCURRENT_EDIT) {
          do {
            other = eligible.get(random.nextInt(eligible.size()));
          } while (other == peer);
        }
        long at = (long) (span * (0.1 + 0.7 * random.nextDouble()));
        events.add(new Event(0, kind, peer, other, at, random.nextLong()));
      }
    }
    events.sort(Comparator.comparingLong(Event::atMillis).thenComparing(Event::kind));
    List<Event> numbered = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      numbered.add(new Event(i, e.kind(), e.peer(), e.other(), e.atMillis(), e.seed()));
    }
    return numbered;
  }
}
