package p2psync.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * When each fault hits whom, drawn from the seed: a list of windows within the fault phase. Each
 * fault alone or any combination yields the same windows for the same seed and peer count.
 */
public final class FaultPlan {
  /** {@link Window#peer()} of a window on the tracker. */
  public static final int TRACKER = -1;

  /**
   * A fault on one target from {@code startMillis} to {@code endMillis}, relative to the start of
   * the run; {@code level} is the fault's strength (ms of latency, KB/s, bytes before the cut, ms
   * before a reset), 0 where it has none.
   */
  public record Window(
      int id, Fault fault, int peer, long startMillis, long endMillis, long level) {
    public String target() {
      return peer == TRACKER ? "tracker" : peerName(peer);
    }
  }

  /** {@code peer-01}, {@code peer-02}, ...: the name of the peer with index {@code index}. */
  public static String peerName(int index) {
    return String.format("peer-%02d", index + 1);
  }

  private final List<Window> windows;
  private final Set<Integer> lateJoiners;
  private final Set<Integer> leavers;

  private FaultPlan(List<Window> windows, Set<Integer> lateJoiners, Set<Integer> leavers) {
    this.windows = List.copyOf(windows);
    this.lateJoiners = Set.copyOf(lateJoiners);
    this.leavers = Set.copyOf(leavers);
  }

  /**
   * Draws the windows of {@code faults} within {@code duration}. Stalls last at least twice the
   * transfer idle timeout, so that a stalled download surely times out; the first window of each
   * transfer fault starts at once, so that it meets the first wave of downloads.
   */
  public static FaultPlan draw(
      long seed, int peers, Set<Fault> faults, Duration duration, Duration idleTimeout) {
    long span = duration.toMillis();
    List<Window> windows = new ArrayList<>();
    Set<Integer> lateJoiners = new HashSet<>();
    Set<Integer> leavers = new HashSet<>();
    int third = Math.max(1, peers / 3);
    int churners = peers >= 3 ? Math.max(1, peers / 6) : 0;
    List<Integer> churnOrder = churnOrder(seed, peers);
    // one stream per fault, so that adding a fault to the list does not move the others' windows
    for (Fault fault : faults) {
      Random random = new Random(seed * 31 + fault.ordinal());
      List<Integer> shuffled = new ArrayList<>(IntStream.range(0, peers).boxed().toList());
      Collections.shuffle(shuffled, random);
      switch (fault) {
        case LATENCY -> {
          windows.add(new Window(0, fault, TRACKER, 0, span, 20 + random.nextInt(80)));
          for (int peer = 0; peer < peers; peer++) {
            windows.add(random(random, fault, peer, span, 0, 20 + random.nextInt(80)));
          }
        }
        case BANDWIDTH ->
            shuffled
                .subList(0, third)
                .forEach(
                    peer ->
                        windows.add(
                            random(random, fault, peer, span, 0, 64 + random.nextInt(192))));
        case DROP -> {
          for (int i = 0; i < third; i++) {
            windows.add(
                transfer(
                    random, fault, shuffled.get(i), span, i == 0, 0, 512 + random.nextInt(1536)));
          }
        }
        case RESET -> {
          for (int i = 0; i < third; i++) {
            windows.add(
                transfer(random, fault, shuffled.get(i), span, i == 0, 0, random.nextInt(20)));
          }
        }
        case STALL -> {
          long minimum = Math.min(span, 2 * idleTimeout.toMillis() + 500);
          for (int i = 0; i < third; i++) {
            windows.add(transfer(random, fault, shuffled.get(i), span, i == 0, minimum, 0));
          }
        }
        case CUT -> windows.add(between(random, fault, TRACKER, span, 0.2, 0.5, 0.15, 0.3, 0));
        case TRACKER_RESTART ->
            windows.add(between(random, fault, TRACKER, span, 0.3, 0.6, 0.05, 0.15, 0));
        case CRASH -> {
          // a crash must not restart a peer that churn keeps away
          List<Integer> steady = new ArrayList<>(shuffled);
          steady.removeAll(churnOrder.subList(0, 2 * churners));
          steady
              .subList(0, Math.min(steady.size(), Math.max(1, peers / 5)))
              .forEach(
                  peer -> windows.add(between(random, fault, peer, span, 0.1, 0.6, 0.1, 0.3, 0)));
        }
        case CHURN -> {
          for (int i = 0; i < churners; i++) {
            int joiner = churnOrder.get(i);
            lateJoiners.add(joiner);
            windows.add(
                new Window(
                    0, fault, joiner, 0, (long) (span * (0.2 + 0.4 * random.nextDouble())), 0));
            int leaver = churnOrder.get(churners + i);
            leavers.add(leaver);
            windows.add(
                new Window(
                    0, fault, leaver, (long) (span * (0.3 + 0.5 * random.nextDouble())), span, 0));
          }
        }
      }
    }
    windows.sort(
        Comparator.comparingLong(Window::startMillis)
            .thenComparing(Window::fault)
            .thenComparingInt(Window::peer));
    List<Window> numbered =
        IntStream.range(0, windows.size())
            .mapToObj(
                i -> {
                  Window w = windows.get(i);
                  return new Window(
                      i, w.fault(), w.peer(), w.startMillis(), w.endMillis(), w.level());
                })
            .toList();
    return new FaultPlan(numbered, lateJoiners, leavers);
  }

  /**
   * The peers that churn, in order: the first ones join late, the next ones leave. Same for any
   * fault list.
   */
  private static List<Integer> churnOrder(long seed, int peers) {
    List<Integer> order = new ArrayList<>(IntStream.range(0, peers).boxed().toList());
    Collections.shuffle(order, new Random(seed * 31 + Fault.CHURN.ordinal() + 1000));
    return order;
  }

  private static Window random(
      Random random, Fault fault, int peer, long span, long minimum, long level) {
    return between(
        random, fault, peer, span, 0, 0.5, Math.max(0.3, (double) minimum / span), 0.6, level);
  }

  private static Window transfer(
      Random random,
      Fault fault,
      int peer,
      long span,
      boolean fromStart,
      long minimum,
      long level) {
    if (fromStart) {
      long length = Math.max(minimum, (long) (span * (0.4 + 0.3 * random.nextDouble())));
      return new Window(0, fault, peer, 0, Math.min(span, length), level);
    }
    return random(random, fault, peer, span, minimum, level);
  }

  /**
   * A window starting within [from, to] of the span, lasting [shortest, longest] of it, clipped to
   * the span.
   */
  private static Window between(
      Random random,
      Fault fault,
      int peer,
      long span,
      double from,
      double to,
      double shortest,
      double longest,
      long level) {
    long start = (long) (span * (from + (to - from) * random.nextDouble()));
    long length =
        (long) (span * (shortest + Math.max(0, longest - shortest) * random.nextDouble()));
    return new Window(0, fault, peer, start, Math.min(span, start + Math.max(1, length)), level);
  }

  public List<Window> windows() {
    return windows;
  }

  /** Peers that start only when their churn window ends. */
  public boolean joinsLate(int peer) {
    return lateJoiners.contains(peer);
  }

  /** Peers that start empty and leave for good when their churn window starts. */
  public boolean leaves(int peer) {
    return leavers.contains(peer);
  }

  public Set<Integer> leavers() {
    return leavers;
  }
}
