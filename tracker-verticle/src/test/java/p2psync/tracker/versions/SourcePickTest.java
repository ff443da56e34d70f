package p2psync.tracker.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class SourcePickTest {
  /** An address order unrelated to slot numbers, as in SharedClaimsTest. */
  private static final SharedClaims.AddressOrder ORDER =
      (a, b) ->
          (a * 37) % 101 != (b * 37) % 101
              ? Integer.compare((a * 37) % 101, (b * 37) % 101)
              : Integer.compare(a, b);

  /** Few distinct ranks, so that equal ranks fall to the address order. */
  private static long rank(int slot) {
    return (slot * 7919L) % 13;
  }

  private static final Comparator<Integer> RANKED =
      Comparator.<Integer>comparingLong(SourcePickTest::rank).thenComparing(ORDER::compare);

  @Provide
  Arbitrary<List<Integer>> toggles() {
    return Arbitraries.integers().between(0, 60).list().ofMaxSize(300);
  }

  /**
   * Each number adds its slot when absent and removes it when present; the listed slots are always
   * the first {@code capacity} in (rank, address) order, and a removal says UNKNOWN exactly when an
   * unlisted holder would take its place (the pick is then made again, as its owner does).
   */
  @Property(tries = 500)
  void theListedHoldersAreAlwaysTheFirstInRankOrder(
      @ForAll("toggles") List<Integer> toggles, @ForAll @IntRange(min = 1, max = 6) int capacity) {
    TreeSet<Integer> model = new TreeSet<>(RANKED);
    SourcePick pick = new SourcePick(5, 1, 0, capacity);
    for (int slot : toggles) {
      List<Integer> listedBefore = firstOf(model, capacity);
      if (model.remove(slot)) {
        SourcePick.Removal removal = pick.remove(slot, ORDER);
        boolean wasListed = listedBefore.contains(slot);
        boolean replaced = wasListed && model.size() >= capacity;
        assertThat(removal)
            .isEqualTo(
                !wasListed
                    ? SourcePick.Removal.UNLISTED
                    : replaced ? SourcePick.Removal.UNKNOWN : SourcePick.Removal.LISTED);
        if (removal == SourcePick.Removal.UNKNOWN) {
          pick = new SourcePick(5, 1, 0, capacity);
          for (int held : model) {
            pick.add(held, rank(held), ORDER);
          }
        }
      } else {
        model.add(slot);
        boolean listed = pick.add(slot, rank(slot), ORDER);
        assertThat(listed).isEqualTo(firstOf(model, capacity).contains(slot));
      }
      List<Integer> listed = new ArrayList<>();
      for (int i = 0; i < pick.size(); i++) {
        listed.add(pick.listed(i));
      }
      assertThat(listed).containsExactlyInAnyOrderElementsOf(firstOf(model, capacity));
      assertThat(pick.holders()).isEqualTo(model.size());
    }
  }

  private static List<Integer> firstOf(TreeSet<Integer> model, int capacity) {
    return model.stream().limit(capacity).toList();
  }
}
