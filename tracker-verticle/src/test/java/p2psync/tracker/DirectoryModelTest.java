package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;

/**
 * The directory against the rule written as plainly as possible: after every step of a random
 * history (peers joining, moving, re-listing and leaving), its line is the one computed from
 * scratch, and its version moved exactly when the line did.
 */
class DirectoryModelTest {

  sealed interface Step permits Register, List_, Remove {}

  record Register(int peer, String ip, int port) implements Step {}

  record List_(int peer, List<FileEntry> files) implements Step {}

  record Remove(int peer) implements Step {}

  /** Few peers, names, addresses and mtimes, so that ties, shared names and moves are common. */
  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> peer = Arbitraries.integers().between(0, 11);
    Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "9.0.0.1", "127.0.0.1", "::1");
    Arbitrary<Integer> port = Arbitraries.integers().between(8000, 8003);
    Arbitrary<FileEntry> file =
        Combinators.combine(
                Arbitraries.of("a", "b", "c", "d", "e", "f"), Arbitraries.longs().between(1, 4))
            .as(FileEntry::new);
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Combinators.combine(peer, ip, port).as(Register::new)),
            net.jqwik.api.Tuple.of(
                5, Combinators.combine(peer, file.list().ofMaxSize(8)).as(List_::new)),
            net.jqwik.api.Tuple.of(1, peer.map(Remove::new)));
    return step.list().ofMaxSize(100);
  }

  @Property(tries = 1000)
  void theLineIsAlwaysTheOneComputedFromScratch(@ForAll("histories") List<Step> history) {
    Directory directory = new Directory();
    Map<Integer, DirectoryEntry> addresses = new HashMap<>(); // peer -> ip, port (mtime unused)
    Map<Integer, Map<String, Long>> files = new HashMap<>();
    String line = directory.encoded().toString();
    long version = directory.version();
    List<Step> done = new ArrayList<>();
    for (Step step : history) {
      done.add(step);
      if (step instanceof Register r) {
        directory.register(r.peer(), r.ip(), r.port());
        addresses.put(r.peer(), new DirectoryEntry(r.ip(), r.port(), 0));
        files.putIfAbsent(r.peer(), Map.of());
      } else if (step instanceof List_ l) {
        if (!addresses.containsKey(l.peer())) {
          continue; // the tracker lists files only for a peer that named its port
        }
        directory.replaceFiles(l.peer(), l.files());
        Map<String, Long> latest = new HashMap<>();
        l.files().forEach(f -> latest.merge(f.name(), f.mtime(), Math::max));
        files.put(l.peer(), latest);
      } else if (step instanceof Remove r) {
        directory.remove(r.peer());
        addresses.remove(r.peer());
        files.remove(r.peer());
      }
      String expected = fromScratch(addresses, files);
      String actual = directory.encoded().toString();
      assertThat(actual).as("after %s", done).isEqualTo(expected);
      assertThat(directory.version() != version)
          .as("version moved after %s", done)
          .isEqualTo(!actual.equals(line));
      assertThat(directory.peerCount()).isEqualTo(addresses.size());
      line = actual;
      version = directory.version();
    }
  }

  /** Newest mtime, then lowest ip string, then lowest port; names in order. */
  private static String fromScratch(
      Map<Integer, DirectoryEntry> addresses, Map<Integer, Map<String, Long>> files) {
    TreeMap<String, DirectoryEntry> winners = new TreeMap<>();
    files.forEach(
        (peer, held) ->
            held.forEach(
                (name, mtime) -> {
                  DirectoryEntry address = addresses.get(peer);
                  DirectoryEntry candidate =
                      new DirectoryEntry(address.ip(), address.port(), mtime);
                  winners.merge(name, candidate, (a, b) -> better(a, b) ? a : b);
                }));
    return SeedCodec.encodeDirectory(winners);
  }

  private static boolean better(DirectoryEntry a, DirectoryEntry b) {
    if (a.mtime() != b.mtime()) {
      return a.mtime() > b.mtime();
    }
    int ip = a.ip().compareTo(b.ip());
    return ip != 0 ? ip < 0 : a.port() <= b.port();
  }
}
