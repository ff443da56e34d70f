package p2psync.tracker.versions;

import java.util.BitSet;
import java.util.function.IntConsumer;

/**
 * The claims of one name that agree on its mtime and version, as a set of holder slots: a bit per
 * peer of the tracker, however many names there are. In a converged swarm (every peer holding every
 * name at the same version) each name has one such set, so 5,000 peers x 10,000 names cost about
 * 10,000 bitmaps of 5,000 bits (6 MB) instead of 50 million claim records.
 *
 * <p>Which of its holders has the lowest address (the one named on the line when this set wins) is
 * kept, and looked for again over the whole set only when that holder leaves. Not thread-safe:
 * owned by the tracker verticle's event loop.
 */
public final class SharedClaims {

  /** The order of holder slots by address: negative when {@code a} comes first. */
  @FunctionalInterface
  public interface AddressOrder {
    int compare(int a, int b);
  }

  private final long mtime;
  private final int version;
  private final BitSet holders = new BitSet();
  private int count;

  /** The slot of the holder with the lowest address; -1: to be looked for. */
  private int first = -1;

  /**
   * @param version the claims' version: 0 when they carry no hash, else one more than its id in the
   *     {@link VersionTable}
   */
  public SharedClaims(long mtime, int version) {
    this.mtime = mtime;
    this.version = version;
  }

  public long mtime() {
    return mtime;
  }

  public int version() {
    return version;
  }

  public boolean matches(long mtime, int version) {
    return this.mtime == mtime && this.version == version;
  }

  public int count() {
    return count;
  }

  public boolean contains(int slot) {
    return holders.get(slot);
  }

  public void add(int slot, AddressOrder order) {
    if (holders.get(slot)) {
      throw new IllegalStateException("slot " + slot + " holds this version already");
    }
    holders.set(slot);
    count++;
    if (count == 1 || first >= 0 && order.compare(slot, first) < 0) {
      first = slot;
    }
  }

  public void remove(int slot) {
    if (!holders.get(slot)) {
      throw new IllegalStateException("slot " + slot + " does not hold this version");
    }
    holders.clear(slot);
    count--;
    if (slot == first) {
      first = -1; // looked for when asked: a departing peer may leave many names at once
    }
  }

  /** The slot of the holder with the lowest address; the set must not be empty. */
  public int first(AddressOrder order) {
    if (first < 0) {
      for (int slot = holders.nextSetBit(0); slot >= 0; slot = holders.nextSetBit(slot + 1)) {
        if (first < 0 || order.compare(slot, first) < 0) {
          first = slot;
        }
      }
    }
    return first;
  }

  public void forEach(IntConsumer action) {
    for (int slot = holders.nextSetBit(0); slot >= 0; slot = holders.nextSetBit(slot + 1)) {
      action.accept(slot);
    }
  }
}
