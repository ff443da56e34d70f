package p2psync.peer.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec.ListChanges;

/** The changes told to the tracker, applied to what it held, are the new list. */
class AdvertisedListTest {
  private static final String A = "a".repeat(64);

  @Provide
  Arbitrary<List<FileEntry>> lists() {
    Arbitrary<FileEntry> seed =
        Combinators.combine(
                Arbitraries.of("a", "b", "c", "d", "e"), Arbitraries.longs().between(1, 3))
            .as(FileEntry::new);
    Arbitrary<FileEntry> hashed = seed.map(f -> new FileEntry(f.name(), f.mtime(), 1, A));
    Arbitrary<FileEntry> tombstone = seed.map(f -> FileEntry.tombstone(f.name(), f.mtime(), 1, A));
    return Arbitraries.oneOf(seed, hashed, tombstone)
        .list()
        .ofMaxSize(5)
        .uniqueElements(FileEntry::name);
  }

  @Property(tries = 500)
  void changesAppliedToTheOldListMakeTheNewOne(
      @ForAll("lists") List<FileEntry> before, @ForAll("lists") List<FileEntry> after) {
    AdvertisedList advertised = new AdvertisedList();
    assertThat(advertised.isKnown()).isFalse();
    advertised.sent(before);
    assertThat(advertised.isCurrent(before)).isTrue();
    ListChanges changes = advertised.changesTo(after);

    Map<String, FileEntry> held = new LinkedHashMap<>();
    before.forEach(f -> held.put(f.name(), f));
    changes.removed().forEach(held::remove);
    changes.changed().forEach(f -> held.put(f.name(), f));
    Map<String, FileEntry> expected = new LinkedHashMap<>();
    after.forEach(f -> expected.put(f.name(), f));
    assertThat(held).isEqualTo(expected);
    // only what changed: an entry listed the same is not sent again
    assertThat(changes.changed()).allMatch(f -> !before.contains(f));
    assertThat(changes.removed()).allMatch(name -> !expected.containsKey(name));

    advertised.sentChanges(after);
    assertThat(advertised.isCurrent(after)).isTrue();
    assertThat(advertised.changesTo(after)).isEqualTo(new ListChanges(List.of(), List.of()));
  }

  @Test
  void aListNamingANameTwiceIsSentWhole() {
    AdvertisedList advertised = new AdvertisedList();
    advertised.sent(List.of(new FileEntry("a", 1)));
    List<FileEntry> twice = new ArrayList<>(List.of(new FileEntry("a", 2), new FileEntry("a", 3)));
    assertThat(advertised.changesTo(twice)).isNull();
    advertised.forget();
    assertThat(advertised.isKnown()).isFalse();
  }
}
