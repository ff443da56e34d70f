package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec.ListChanges;

/**
 * Incremental advertisements (v2): a directory fed each peer's changes holds exactly what a
 * directory fed the same peers' whole lists holds: the same seed line, v2 line and compact members
 * after every step of a random history of joins, moves, whole lists, changes and leaves.
 */
class IncrementalListingTest {
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final long NOW = 1_700_000_000L;

  sealed interface Step permits Register, List_, Change, Remove {}

  record Register(int peer, String ip, int port) implements Step {}

  record List_(int peer, List<FileEntry> files) implements Step {}

  /** Entries changed or added, and names removed, in the peer's list. */
  record Change(int peer, List<FileEntry> changed, List<String> removed) implements Step {}

  record Remove(int peer) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> peer = Arbitraries.integers().between(0, 9);
    Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1");
    Arbitrary<Integer> port = Arbitraries.integers().between(8000, 8002);
    Arbitrary<String> names = Arbitraries.of("a", "b", "c", "d");
    Arbitrary<FileEntry> seedFile =
        Combinators.combine(names, Arbitraries.longs().between(1, 3)).as(FileEntry::new);
    Arbitrary<FileEntry> v2File =
        Combinators.combine(seedFile, Arbitraries.longs().between(1, 2), Arbitraries.of(A, B))
            .as((f, size, sha) -> new FileEntry(f.name(), f.mtime(), size, sha));
    Arbitrary<FileEntry> converged = names.map(n -> new FileEntry(n, 3, 1, A));
    Arbitrary<FileEntry> file =
        Arbitraries.frequencyOf(Tuple.of(1, seedFile), Tuple.of(2, v2File), Tuple.of(3, converged));
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(
            Tuple.of(3, Combinators.combine(peer, ip, port).as(Register::new)),
            Tuple.of(2, Combinators.combine(peer, file.list().ofMaxSize(4)).as(List_::new)),
            Tuple.of(
                6,
                Combinators.combine(peer, file.list().ofMaxSize(3), names.list().ofMaxSize(2))
                    .as(Change::new)),
            Tuple.of(1, peer.map(Remove::new)));
    return step.list().ofMaxSize(120);
  }

  @Property(tries = 1000)
  void changesHoldWhatWholeListsHold(
      @ForAll("histories") List<Step> history, @ForAll @IntRange(min = 1, max = 3) int maxSources) {
    Directory whole = directory(maxSources);
    Directory changed = directory(maxSources);
    Map<Integer, Map<String, FileEntry>> lists = new HashMap<>(); // each peer's list, as it says
    List<Step> done = new ArrayList<>();
    try {
      for (Step step : history) {
        done.add(step);
        if (step instanceof Register r) {
          whole.register(r.peer(), r.ip(), r.port());
          changed.register(r.peer(), r.ip(), r.port());
          lists.putIfAbsent(r.peer(), new LinkedHashMap<>());
        } else if (step instanceof List_ l && lists.containsKey(l.peer())) {
          whole.replaceFiles(l.peer(), l.files());
          changed.replaceFiles(l.peer(), l.files());
          Map<String, FileEntry> list = new LinkedHashMap<>();
          l.files().forEach(f -> list.merge(f.name(), f, (a, b) -> b.mtime() > a.mtime() ? b : a));
          lists.put(l.peer(), list);
        } else if (step instanceof Change c && lists.containsKey(c.peer())) {
          Map<String, FileEntry> list = lists.get(c.peer());
          c.removed().forEach(list::remove);
          Map<String, FileEntry> newest = new LinkedHashMap<>();
          c.changed()
              .forEach(f -> newest.merge(f.name(), f, (a, b) -> b.mtime() > a.mtime() ? b : a));
          list.putAll(newest);
          changed.changeFiles(c.peer(), new ListChanges(c.changed(), c.removed()));
          whole.replaceFiles(c.peer(), new ArrayList<>(list.values()));
        } else if (step instanceof Remove r) {
          whole.remove(r.peer());
          changed.remove(r.peer());
          lists.remove(r.peer());
        }
        assertThat(text(changed.encoded().getBytes()))
            .as("seed line after %s", done)
            .isEqualTo(text(whole.encoded().getBytes()));
        assertThat(changed.wireLineV2().toString(StandardCharsets.UTF_8))
            .as("v2 line after %s", done)
            .isEqualTo(whole.wireLineV2().toString(StandardCharsets.UTF_8));
        for (TrackerStatus.NameStatus status : whole.nameStatuses()) {
          assertThat(text(changed.compactMember(status.name())))
              .as("compact member of %s after %s", status.name(), done)
              .isEqualTo(text(whole.compactMember(status.name())));
        }
        for (int peer : lists.keySet()) {
          assertThat(changed.record(peer).files())
              .as("peer %d's claims after %s", peer, done)
              .containsExactlyInAnyOrderElementsOf(whole.record(peer).files());
        }
      }
    } finally {
      whole.close();
      changed.close();
    }
  }

  /** Tombstones in changes: taken when they name a known version, else they withdraw the name. */
  @Test
  void aTombstoneInChangesIsCheckedAsInAWholeList() {
    Directory directory = directory(32);
    try {
      directory.register(1, "10.0.0.1", 8000);
      directory.register(2, "10.0.0.2", 8000);
      directory.replaceFiles(1, List.of(new FileEntry("f", NOW - 100, 5, A)));
      directory.replaceFiles(
          2, List.of(new FileEntry("f", NOW - 100, 5, A), new FileEntry("g", NOW - 100, 5, A)));

      directory.changeFiles(
          2, new ListChanges(List.of(FileEntry.tombstone("f", NOW, 5, A)), List.of()));
      assertThat(directory.record(2).files())
          .containsExactlyInAnyOrder(
              FileEntry.tombstone("f", NOW, 5, A), new FileEntry("g", NOW - 100, 5, A));

      // a version nobody advertised for g: no claim, so its earlier claim is withdrawn
      directory.changeFiles(
          2, new ListChanges(List.of(FileEntry.tombstone("g", NOW, 5, B)), List.of()));
      assertThat(directory.record(2).files()).containsExactly(FileEntry.tombstone("f", NOW, 5, A));
      assertThat(directory.encoded().toString()).doesNotContain("\"g\"");

      // removing a name never listed, or one of another peer, changes nothing
      String line = directory.wireLineV2().toString(StandardCharsets.UTF_8);
      directory.changeFiles(2, new ListChanges(List.of(), List.of("nothing", "g")));
      assertThat(directory.wireLineV2().toString(StandardCharsets.UTF_8)).isEqualTo(line);
      assertThat(directory.record(1).files()).containsExactly(new FileEntry("f", NOW - 100, 5, A));
    } finally {
      directory.close();
    }
  }

  private static Directory directory(int maxSources) {
    Directory directory = new Directory();
    directory.setClock(() -> NOW);
    directory.setMaxClockSkew(Duration.ofMinutes(1));
    directory.setV2LineInterval(Duration.ZERO);
    directory.setMaxSources(maxSources);
    directory.trackV2Changes();
    return directory;
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
  }
}
