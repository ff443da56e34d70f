package p2psync.tracker.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class VersionTableTest {
  private static String sha(int n) {
    return String.format("%064x", n);
  }

  @Test
  void claimsOfOneVersionShareOneRecordUntilTheLastLetsGo() {
    VersionTable table = new VersionTable();
    int a = table.acquire(1025, sha(7));
    assertThat(table.acquire(1025, sha(7))).isEqualTo(a);
    assertThat(table.acquire(-1025, sha(7)))
        .as("a tombstone is a version of its own")
        .isNotEqualTo(a);
    assertThat(table.size()).isEqualTo(2);
    assertThat(table.count(a)).isEqualTo(2);
    assertThat(table.sha256(a)).isEqualTo(sha(7));
    assertThat(table.sized(a)).isEqualTo(1025);
    table.release(a);
    assertThat(table.find(1025, sha(7))).isEqualTo(a);
    table.release(a);
    assertThat(table.find(1025, sha(7))).isEqualTo(-1);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.acquire(3, sha(8))).as("the freed id is reused").isEqualTo(a);
    table.release(a);
    assertThatThrownBy(() -> table.release(a)).isInstanceOf(IllegalStateException.class);
  }

  @Provide
  Arbitrary<List<Integer>> operations() {
    // >= 0: acquire version n % 40 (few distinct ones, so probe runs collide); < 0: release one
    return Arbitraries.integers().between(-60, 79).list().ofMaxSize(400);
  }

  /**
   * Against a map model: every id found, counted and read back right, through growth and removal.
   */
  @Property(tries = 300)
  void behavesAsAMapOfCountedVersions(@ForAll("operations") List<Integer> operations) {
    VersionTable table = new VersionTable();
    Map<Integer, Integer> idOf = new HashMap<>(); // version -> id
    Map<Integer, Integer> counts = new HashMap<>(); // version -> claims
    List<Integer> held = new ArrayList<>(); // one entry per claim
    for (int op : operations) {
      if (op >= 0) {
        int version = op % 40;
        long sized = version % 3 == 0 ? -(version + 1) : version + 1;
        int id = table.acquire(sized, sha(version * 7919));
        if (idOf.containsKey(version)) {
          assertThat(id).isEqualTo(idOf.get(version));
        }
        idOf.put(version, id);
        counts.merge(version, 1, Integer::sum);
        held.add(version);
      } else if (!held.isEmpty()) {
        int version = held.remove(Math.floorMod(op, held.size()));
        table.release(idOf.get(version));
        if (counts.merge(version, -1, Integer::sum) == 0) {
          counts.remove(version);
          idOf.remove(version);
        }
      }
      assertThat(table.size()).isEqualTo(counts.size());
    }
    for (int version = 0; version < 40; version++) {
      long sized = version % 3 == 0 ? -(version + 1) : version + 1;
      int id = table.find(sized, sha(version * 7919));
      if (counts.containsKey(version)) {
        assertThat(id).isEqualTo(idOf.get(version));
        assertThat(table.count(id)).isEqualTo(counts.get(version));
        assertThat(table.sized(id)).isEqualTo(sized);
        assertThat(table.sha256(id)).isEqualTo(sha(version * 7919));
      } else {
        assertThat(id).isEqualTo(-1);
      }
    }
  }
}
