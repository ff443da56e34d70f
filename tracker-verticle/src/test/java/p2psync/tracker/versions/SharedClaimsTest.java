package p2psync.tracker.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SharedClaimsTest {
  /** An address order unrelated to slot numbers: by (slot * 37) mod 101, then the slot. */
  private static int rank(int slot) {
    return (slot * 37) % 101;
  }

  private static final SharedClaims.AddressOrder ORDER =
      (a, b) -> rank(a) != rank(b) ? Integer.compare(rank(a), rank(b)) : Integer.compare(a, b);

  @Provide
  Arbitrary<List<Integer>> toggles() {
    return Arbitraries.integers().between(0, 150).list().ofMaxSize(300);
  }

  /** Each number adds its slot when absent and removes it when present. */
  @Property(tries = 500)
  void theFirstHolderIsAlwaysTheLowestAddressOfTheSet(@ForAll("toggles") List<Integer> toggles) {
    SharedClaims claims = new SharedClaims(100, 3);
    TreeSet<Integer> model = new TreeSet<>(ORDER::compare);
    for (int slot : toggles) {
      if (model.remove(slot)) {
        claims.remove(slot);
      } else {
        model.add(slot);
        claims.add(slot, ORDER);
      }
      assertThat(claims.count()).isEqualTo(model.size());
      assertThat(claims.contains(slot)).isEqualTo(model.contains(slot));
      if (!model.isEmpty()) {
        assertThat(claims.first(ORDER)).isEqualTo(model.first());
      }
    }
    List<Integer> all = new ArrayList<>();
    claims.forEach(all::add);
    assertThat(all).containsExactlyInAnyOrderElementsOf(model);
  }

  @Test
  void aSlotIsAddedOnceAndRemovedOnlyWhenThere() {
    SharedClaims claims = new SharedClaims(100, 0);
    claims.add(5, ORDER);
    assertThatThrownBy(() -> claims.add(5, ORDER)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> claims.remove(6)).isInstanceOf(IllegalStateException.class);
    assertThat(claims.matches(100, 0)).isTrue();
    assertThat(claims.matches(100, 1)).isFalse();
    assertThat(claims.matches(101, 0)).isFalse();
  }
}
