package p2psync.tracker.versions;

import java.util.Arrays;
import p2psync.common.v2.Sha256;

/**
 * The distinct versions the tracker's claims name, each once: a version record (size, tombstone or
 * not, SHA-256) with a count of the claims that refer to it by id. Most peers of a converged swarm
 * hold the same version of each name, so 5,000 claims of one name share one 40-byte record instead
 * of holding 5,000 copies of it; a claim keeps a 4-byte id.
 *
 * <p>Primitive arrays only (records, counts, an open-addressing index with linear probing and
 * backward-shift deletion): nothing per version for the garbage collector to trace. Ids are reused
 * once their last claim lets go. Not thread-safe: owned by the tracker verticle's event loop.
 */
public final class VersionTable {
  /** Per id: the size plus one (negative for a tombstone), then the SHA-256's four words. */
  private long[] records = new long[5 * 16];

  /** Per id: the claims that refer to it; 0: a free id. */
  private int[] counts = new int[16];

  /** Free ids, a stack. */
  private int[] free = new int[16];

  private int freeCount;

  /** Ids handed out so far (the high-water mark; free ones included). */
  private int used;

  /** The index: id + 1 per slot, 0 empty; a power of two, at most half full. */
  private int[] index = new int[32];

  private int size;

  /** Distinct versions held. */
  public int size() {
    return size;
  }

  /**
   * The id of a version, one more claim counted on it (made when new).
   *
   * @param sized the size plus one, negated for a tombstone
   * @param sha256 64 lower-case hex digits
   */
  public int acquire(long sized, String sha256) {
    long[] key = key(sized, sha256);
    int slot = slotOf(key, 0);
    int id;
    if (index[slot] != 0) {
      id = index[slot] - 1;
    } else {
      id = newId();
      System.arraycopy(key, 0, records, 5 * id, 5);
      index[slot] = id + 1;
      size++;
      if (2 * size > index.length) {
        rehash(index.length * 2);
      }
    }
    counts[id]++;
    return id;
  }

  /** The id of a version held, or -1. */
  public int find(long sized, String sha256) {
    return index[slotOf(key(sized, sha256), 0)] - 1;
  }

  /**
   * The version as a key (size, then words), in one scratch array: a join of 10,000 hashed names
   * looks up 10,000 keys, and an array each was 5% of a v2 join storm's allocation.
   */
  private long[] key(long sized, String sha256) {
    scratch[0] = sized;
    Sha256.toWords(sha256, scratch, 1);
    return scratch;
  }

  private final long[] scratch = new long[5];

  /** One claim fewer on {@code id}; the last one frees it. */
  public void release(int id) {
    if (counts[id] <= 0) {
      throw new IllegalStateException("version " + id + " is not held");
    }
    if (--counts[id] > 0) {
      return;
    }
    remove(slotOf(records, 5 * id));
    size--;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, free.length * 2);
    }
    free[freeCount++] = id;
  }

  /** The size plus one of version {@code id}, negative for a tombstone. */
  public long sized(int id) {
    return records[5 * id];
  }

  /** Word {@code w} (0 to 3) of version {@code id}'s SHA-256, big-endian. */
  public long word(int id, int w) {
    return records[5 * id + 1 + w];
  }

  public String sha256(int id) {
    return Sha256.fromWords(records, 5 * id + 1);
  }

  /** Claims counted on {@code id}. */
  public int count(int id) {
    return counts[id];
  }

  private int newId() {
    if (freeCount > 0) {
      return free[--freeCount];
    }
    if (used == counts.length) {
      counts = Arrays.copyOf(counts, used * 2);
      records = Arrays.copyOf(records, 5 * used * 2);
    }
    return used++;
  }

  /**
   * The slot holding the version at {@code key[at..at+5)} (size, then words), or the empty slot
   * where it would go.
   */
  private int slotOf(long[] key, int at) {
    int mask = index.length - 1;
    for (int slot = hash(key, at) & mask; ; slot = (slot + 1) & mask) {
      int id = index[slot] - 1;
      if (id < 0 || Arrays.equals(records, 5 * id, 5 * id + 5, key, at, at + 5)) {
        return slot;
      }
    }
  }

  /**
   * Every word counts: a real SHA-256 is spread already, but a peer may send any 64 hex digits (a
   * test's, a hostile peer's), and versions alike in one word must not share one probe run.
   */
  private static int hash(long[] records, int at) {
    long x = records[at] * 0x9E3779B97F4A7C15L;
    for (int w = 1; w < 5; w++) {
      x = (x ^ records[at + w]) * 0xff51afd7ed558ccdL;
      x ^= x >>> 33;
    }
    return (int) x;
  }

  /** Empties a slot, moving later entries of its probe run back (no tombstones in the index). */
  private void remove(int slot) {
    int mask = index.length - 1;
    index[slot] = 0;
    for (int next = (slot + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
      int id = index[next] - 1;
      int home = hash(records, 5 * id) & mask;
      // Move it back unless its home lies cyclically in (slot, next].
      boolean stays = slot <= next ? slot < home && home <= next : slot < home || home <= next;
      if (!stays) {
        index[slot] = index[next];
        index[next] = 0;
        slot = next;
      }
    }
  }

  private void rehash(int capacity) {
    int[] old = index;
    index = new int[capacity];
    int mask = capacity - 1;
    for (int entry : old) {
      if (entry != 0) {
        int id = entry - 1;
        int slot = hash(records, 5 * id) & mask;
        while (index[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        index[slot] = entry;
      }
    }
  }
}
