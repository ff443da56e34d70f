package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * The v2 members a directory keeps up to date claim by claim (its source picks) against members
 * picked from scratch from every holder, after every step of a random history of joins, moves,
 * re-advertisements (unchanged, or of another mtime or version) and leaves; and the drained changes
 * against them: a name left out of a drain must really be unchanged, so a delta peer that applies
 * every drain holds the members from scratch. Many peers on few addresses and few names, so that
 * picks fill up, newcomers are listed or not, and listed and named holders leave.
 */
class PickModelTest {
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  sealed interface Step permits Register, List_, Remove, Drain {}

  record Register(int peer, String ip, int port) implements Step {}

  record List_(int peer, List<FileEntry> files) implements Step {}

  record Remove(int peer) implements Step {}

  record Drain() implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> peer = Arbitraries.integers().between(0, 15);
    Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1");
    Arbitrary<Integer> port = Arbitraries.integers().between(8000, 8003);
    Arbitrary<FileEntry> seedFile =
        Combinators.combine(Arbitraries.of("a", "b", "c"), Arbitraries.longs().between(1, 3))
            .as(FileEntry::new);
    Arbitrary<FileEntry> v2File =
        Combinators.combine(seedFile, Arbitraries.longs().between(1, 2), Arbitraries.of(A, B))
            .as((f, size, sha) -> new FileEntry(f.name(), f.mtime(), size, sha));
    // mostly the same version, as in a converged swarm, so that names gather many holders of it
    Arbitrary<FileEntry> converged =
        Arbitraries.of("a", "b", "c").map(n -> new FileEntry(n, 3, 1, A));
    Arbitrary<FileEntry> file =
        Arbitraries.frequencyOf(Tuple.of(1, seedFile), Tuple.of(2, v2File), Tuple.of(4, converged));
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(
            Tuple.of(3, Combinators.combine(peer, ip, port).as(Register::new)),
            Tuple.of(6, Combinators.combine(peer, file.list().ofMaxSize(4)).as(List_::new)),
            Tuple.of(2, peer.map(Remove::new)),
            Tuple.of(2, Arbitraries.just(new Drain())));
    return step.list().ofMaxSize(150);
  }

  @Property(tries = 1000)
  void keptMembersAreTheMembersPickedFromScratch(
      @ForAll("histories") List<Step> history, @ForAll @IntRange(min = 1, max = 4) int maxSources) {
    Directory directory = new Directory();
    directory.setV2LineInterval(java.time.Duration.ZERO);
    directory.setMaxSources(maxSources);
    directory.trackV2Changes();
    Map<String, byte[]> applied = new HashMap<>(); // a delta peer's copy: every drain applied
    Map<Integer, Boolean> registered = new HashMap<>();
    List<Step> done = new ArrayList<>();
    try {
      for (Step step : history) {
        done.add(step);
        if (step instanceof Register r) {
          directory.register(r.peer(), r.ip(), r.port());
          registered.put(r.peer(), true);
        } else if (step instanceof List_ l && registered.containsKey(l.peer())) {
          directory.replaceFiles(l.peer(), l.files());
        } else if (step instanceof Remove r) {
          directory.remove(r.peer());
          registered.remove(r.peer());
        } else if (step instanceof Drain) {
          directory
              .drainV2Changes()
              .forEach(
                  (name, member) -> {
                    if (member == null) {
                      applied.remove(name);
                    } else {
                      applied.put(name, member);
                    }
                  });
          assertThat(directory.hasV2Changes()).isFalse();
        }
        Map<String, String> fromScratch = new HashMap<>();
        for (TrackerStatus.NameStatus status : directory.nameStatuses()) {
          List<byte[]> scratch = directory.membersFromScratch(status.name());
          assertThat(text(directory.compactMember(status.name())))
              .as("compact member of %s (max %d sources) after %s", status.name(), maxSources, done)
              .isEqualTo(text(scratch.get(0)));
          assertThat(text(directory.v2Member(status.name())))
              .as("v2 member of %s (max %d sources) after %s", status.name(), maxSources, done)
              .isEqualTo(text(scratch.get(1)));
          fromScratch.put(status.name(), text(scratch.get(0)));
        }
        if (step instanceof Drain) {
          Map<String, String> copy = new HashMap<>();
          applied.forEach((name, member) -> copy.put(name, text(member)));
          assertThat(copy).as("applied drains after %s", done).isEqualTo(fromScratch);
        }
      }
    } finally {
      directory.close();
    }
  }

  /**
   * A converged swarm joining: 200 peers, each listing 20 names at the same versions, 2 sources
   * listed. A join changes a name's member only when the newcomer is listed (odds about 2 /
   * holders): far fewer members drained than names joined (every one of them before the picks were
   * kept), and every member drained really changed.
   */
  @Test
  void aJoinChangesOnlyTheMembersThatListIt() {
    Directory directory = new Directory();
    directory.setMaxSources(2);
    directory.trackV2Changes();
    List<FileEntry> files = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      files.add(new FileEntry("name" + n, 3, 1, n % 2 == 0 ? A : B));
    }
    Map<String, String> published = new HashMap<>();
    int drained = 0;
    for (int peer = 0; peer < 200; peer++) {
      // ascending addresses: no newcomer is the named holder, so a change is a newly listed source
      directory.register(peer, "10.0.0.1", 9000 + peer);
      directory.replaceFiles(peer, files);
      for (Map.Entry<String, byte[]> change : directory.drainV2Changes().entrySet()) {
        String member = text(change.getValue());
        assertThat(member)
            .as("peer %d, %s", peer, change.getKey())
            .isNotEqualTo(published.get(change.getKey()));
        published.put(change.getKey(), member);
        drained++;
      }
    }
    // 463 with these addresses; every member of every join (4,000) before picks were kept
    assertThat(drained).isLessThan(200 * 20 / 5);
    for (String name : published.keySet()) {
      assertThat(published.get(name)).isEqualTo(text(directory.membersFromScratch(name).get(0)));
    }
    directory.close();
  }

  private static String text(byte[] member) {
    return member == null ? null : new String(member, java.nio.charset.StandardCharsets.UTF_8);
  }
}
