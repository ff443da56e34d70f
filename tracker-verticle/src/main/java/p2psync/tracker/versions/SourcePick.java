package p2psync.tracker.versions;

import java.util.Arrays;

/**
 * The version a name's v2 member names, and which of its holders the member lists as sources: its
 * mtime, its version key, the holder it names, and of all the holders of that version the {@code
 * capacity} first in (rank, address) order. Kept up to date as holders come and go, so that a join
 * costs a comparison with the worst listed holder instead of a new pick over every holder: in a
 * converged swarm a newcomer is listed for a name with odds of {@code capacity / holders}, and only
 * then does the name's member change.
 *
 * <p>A pick cannot follow every change: when a listed holder leaves while unlisted ones wait, the
 * next one is not known here, and {@link #remove} says so; the owner then builds a new pick from
 * every holder. Holders are slot numbers ordered by an {@link SharedClaims.AddressOrder}. Not
 * thread-safe: owned by the tracker verticle's event loop.
 */
public final class SourcePick {

  /** What a removal did to the listed holders. */
  public enum Removal {
    /** The holder was not listed: the list is unchanged. */
    UNLISTED,
    /** The holder was listed and every other holder of the version is listed too. */
    LISTED,
    /** The holder was listed and unlisted holders wait: the pick must be made again. */
    UNKNOWN
  }

  private final long mtime;
  private final int version;
  private final int capacity;
  private int named;

  /** Holders of the version, listed or not. */
  private int holders;

  private int[] slots;
  private long[] ranks;
  private int size;

  /** Index (in {@link #slots}) of the listed holder that comes last; -1: none listed. */
  private int worst = -1;

  /**
   * Its rank, here rather than only in {@link #ranks}: a newcomer that is not listed (nearly every
   * one, in a big swarm) is told so without reading the arrays.
   */
  private long worstRank;

  /**
   * @param named the slot of the holder the member names
   * @param capacity how many holders are listed at most (at least 1)
   */
  public SourcePick(long mtime, int version, int named, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.mtime = mtime;
    this.version = version;
    this.named = named;
    this.capacity = capacity;
    int initial = Math.min(capacity, 8);
    slots = new int[initial];
    ranks = new long[initial];
  }

  public long mtime() {
    return mtime;
  }

  public int version() {
    return version;
  }

  public int named() {
    return named;
  }

  public void name(int slot) {
    named = slot;
  }

  /** Holders of the version, listed or not. */
  public int holders() {
    return holders;
  }

  /** How many holders are listed. */
  public int size() {
    return size;
  }

  /** The listed holder at {@code i} (0 to {@link #size()}, in no particular order). */
  public int listed(int i) {
    return slots[i];
  }

  /**
   * One more holder of the version, of the given rank.
   *
   * @return whether it is listed (and so the listed holders changed)
   */
  public boolean add(int slot, long rank, SharedClaims.AddressOrder order) {
    holders++;
    if (size < capacity) {
      if (size == slots.length) {
        int grown = (int) Math.min(capacity, 2L * slots.length);
        slots = Arrays.copyOf(slots, grown);
        ranks = Arrays.copyOf(ranks, grown);
      }
      slots[size] = slot;
      ranks[size] = rank;
      if (worst < 0 || before(ranks[worst], slots[worst], rank, slot, order)) {
        worst = size;
        worstRank = rank;
      }
      size++;
      return true;
    }
    if (rank > worstRank || rank == worstRank && order.compare(slot, slots[worst]) >= 0) {
      return false;
    }
    // it takes the place of the last listed holder, and the new last one is looked for
    slots[worst] = slot;
    ranks[worst] = rank;
    findWorst(order);
    return true;
  }

  /** A holder of the version left (its own {@code holders()} count drops by one). */
  public Removal remove(int slot, SharedClaims.AddressOrder order) {
    holders--;
    for (int i = 0; i < size; i++) {
      if (slots[i] == slot) {
        if (holders >= size) {
          return Removal.UNKNOWN; // an unlisted holder takes its place: which one is not known
        }
        size--;
        slots[i] = slots[size];
        ranks[i] = ranks[size];
        findWorst(order);
        return Removal.LISTED;
      }
    }
    return Removal.UNLISTED;
  }

  private void findWorst(SharedClaims.AddressOrder order) {
    worst = size == 0 ? -1 : 0;
    for (int i = 1; i < size; i++) {
      if (before(ranks[worst], slots[worst], ranks[i], slots[i], order)) {
        worst = i;
      }
    }
    worstRank = worst < 0 ? 0 : ranks[worst];
  }

  /** Whether (rank a, slot a) comes before (rank b, slot b): the lower rank, then the address. */
  private static boolean before(
      long rankA, int a, long rankB, int b, SharedClaims.AddressOrder order) {
    return rankA != rankB ? rankA < rankB : order.compare(a, b) < 0;
  }
}
