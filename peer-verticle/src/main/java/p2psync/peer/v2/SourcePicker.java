package p2psync.peer.v2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import p2psync.common.v2.V2Entry;
import p2psync.common.v2.V2Entry.Source;

/**
 * Chooses among the holders a v2 directory entry lists. Never a source that served wrong bytes for
 * that hash; among the rest, the one with the fewest of our downloads running, then the fewest
 * recent failures, then the least recently used, ties broken at random: a popular file's load
 * spreads over every holder instead of hammering the first one. Call from one thread (the event
 * loop).
 */
public final class SourcePicker {
  private final Map<String, Set<String>> badBySha = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private final Map<String, Long> lastUsed = new HashMap<>();
  private final Map<String, Integer> running = new HashMap<>();
  private long clock;

  /** The source to use next, or null when none is left (all tried, ourselves or bad). */
  public Source pick(V2Entry entry, Set<String> tried, Predicate<Source> isSelf) {
    Set<String> bad = badBySha.getOrDefault(entry.sha256(), Set.of());
    List<Source> candidates = new ArrayList<>();
    for (Source source : entry.sources()) {
      String address = source.address();
      if (!tried.contains(address) && !bad.contains(address) && !isSelf.test(source)) {
        candidates.add(source);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    Collections.shuffle(candidates, ThreadLocalRandom.current());
    Source best =
        candidates.stream()
            .min(
                Comparator.<Source>comparingInt(s -> running.getOrDefault(s.address(), 0))
                    .thenComparingInt(s -> failures.getOrDefault(s.address(), 0))
                    .thenComparingLong(s -> lastUsed.getOrDefault(s.address(), 0L)))
            .orElseThrow();
    lastUsed.put(best.address(), ++clock);
    running.merge(best.address(), 1, Integer::sum);
    return best;
  }

  /** {@code source} serves one more download, chosen along with another (the same connection). */
  public void using(Source source) {
    lastUsed.put(source.address(), ++clock);
    running.merge(source.address(), 1, Integer::sum);
  }

  /** A download from {@code source} ended before it could say anything about the source. */
  public void released(Source source) {
    done(source);
  }

  /** A download from {@code source} succeeded. */
  public void succeeded(Source source) {
    done(source);
    failures.remove(source.address());
  }

  /** It failed for a reason that says nothing about its content (unreachable, cut off, busy). */
  public void failed(Source source) {
    done(source);
    failures.merge(source.address(), 1, Integer::sum);
  }

  /** It sent bytes that are not the version with {@code sha256}: never asked for it again. */
  public void servedWrongContent(Source source, String sha256) {
    done(source);
    badBySha.computeIfAbsent(sha256, k -> new HashSet<>()).add(source.address());
  }

  /** Whether {@code source} is known to serve wrong bytes for {@code sha256}. */
  public boolean isBad(Source source, String sha256) {
    return badBySha.getOrDefault(sha256, Set.of()).contains(source.address());
  }

  private void done(Source source) {
    running.computeIfPresent(source.address(), (k, n) -> n > 1 ? n - 1 : null);
  }
}
