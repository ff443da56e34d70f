package p2psync.common.delta;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.DirectoryEntry;

/**
 * A v2 peer's copy of a versioned directory: the entries it acts on, and per member the number it
 * adds to the hash, so that a delta is checked and applied in time proportional to its size, not to
 * the directory's. Not thread-safe: owned by one event loop.
 */
public final class DirectoryCopy {

  /** A line that does not follow from the version held; the peer asks for the whole directory. */
  public static final class OutOfStep extends Exception {
    public OutOfStep(String message) {
      super(message);
    }
  }

  private final TreeMap<String, DirectoryEntry> entries = new TreeMap<>();
  private final Map<String, DirectoryEntry> view = Collections.unmodifiableMap(entries);

  /** Every member's hash number, members left out of {@link #entries} included. */
  private final Map<String, Long> hashes = new HashMap<>();

  private final Map<String, String> rejected = new TreeMap<>();
  private long epoch;
  private long version;
  private long hash;

  /** The entries to act on, in name order: a live view, read on the owner's loop only. */
  public Map<String, DirectoryEntry> entries() {
    return view;
  }

  /** Names of the directory not acted on, each with why. */
  public Map<String, String> rejected() {
    return Collections.unmodifiableMap(rejected);
  }

  public long epoch() {
    return epoch;
  }

  public long version() {
    return version;
  }

  /** What to tell the tracker: the version held, if any. */
  public DeltaRequest request(boolean push) {
    return new DeltaRequest(epoch, version, push);
  }

  /** Doubt: the next line must be a full directory; the entries stay usable meanwhile. */
  public void forgetVersion() {
    epoch = 0;
    version = 0;
  }

  /**
   * Applies a line: a full directory replaces the copy, a delta must start from the version held.
   * The copy's hash must then be the line's; on any mismatch nothing is changed.
   *
   * @return the names whose entry changed (added, changed, removed), in name order
   */
  public Set<String> apply(DeltaLine line) throws OutOfStep {
    if (line.full()) {
      long sum = 0;
      for (DeltaLine.Member member : line.members()) {
        sum += member.hash();
      }
      check(line, sum);
      Set<String> changed = new LinkedHashSet<>(entries.keySet());
      entries.clear();
      hashes.clear();
      rejected.clear();
      line.members().forEach(this::put);
      changed.addAll(entries.keySet());
      moveTo(line);
      return changed;
    }
    if (line.epoch() != epoch || line.from() != version || version == 0) {
      throw new OutOfStep(
          "a delta from "
              + line.epoch()
              + "/"
              + line.from()
              + " does not follow the version held, "
              + epoch
              + "/"
              + version);
    }
    long sum = hash;
    for (DeltaLine.Member member : line.members()) {
      // A removed name need not be held: a delta from an older version lists a name that came and
      // went since as removed (the tracker keeps changes, not every version's members).
      Long old = hashes.get(member.name());
      sum += member.hash() - (old == null ? 0 : old);
    }
    check(line, sum);
    Set<String> changed = new LinkedHashSet<>();
    for (DeltaLine.Member member : line.members()) {
      if (member.removed() && !hashes.containsKey(member.name())) {
        continue;
      }
      entries.remove(member.name());
      hashes.remove(member.name());
      rejected.remove(member.name());
      if (!member.removed()) {
        put(member);
      }
      changed.add(member.name());
    }
    moveTo(line);
    return changed;
  }

  private void check(DeltaLine line, long sum) throws OutOfStep {
    if (sum != line.hash()) {
      throw new OutOfStep(
          "directory "
              + line.epoch()
              + "/"
              + line.version()
              + ": hash "
              + MemberHash.text(sum)
              + " where the tracker says "
              + MemberHash.text(line.hash()));
    }
  }

  private void put(DeltaLine.Member member) {
    hashes.put(member.name(), member.hash());
    if (member.entry() != null) {
      entries.put(member.name(), member.entry());
    } else {
      rejected.put(member.name(), member.rejection());
    }
  }

  private void moveTo(DeltaLine line) {
    epoch = line.epoch();
    version = line.version();
    hash = line.hash();
  }
}
