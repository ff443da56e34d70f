package p2psync.peer.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import p2psync.common.v2.V2Entry;
import p2psync.common.v2.V2Entry.Source;

class SourcePickerTest {
  static final String SHA = "a".repeat(64);
  static final Source A = new Source("10.0.0.1", 1);
  static final Source B = new Source("10.0.0.2", 1);
  static final Source C = new Source("10.0.0.3", 1);
  static final Source SELF = new Source("10.0.0.9", 1);
  final V2Entry entry = new V2Entry(5, SHA, List.of(A, B, C, SELF));
  final SourcePicker picker = new SourcePicker();

  Source pick(Set<String> tried) {
    return picker.pick(entry, tried, s -> s.equals(SELF));
  }

  @Test
  void theLoadSpreadsOverEveryHolderAndNeverReachesOurselves() {
    Map<Source, Integer> used = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      Source s = pick(Set.of());
      used.merge(s, 1, Integer::sum);
      picker.succeeded(s);
    }
    assertThat(used).containsOnlyKeys(A, B, C);
    assertThat(used.values()).allMatch(n -> n == 10); // least recently used goes next
  }

  @Test
  void busyHoldersWaitAndFailedOnesComeLast() {
    Source first = pick(Set.of()); // still running
    Source second = pick(Set.of());
    assertThat(second).isNotEqualTo(first);
    picker.failed(second);
    picker.succeeded(first);
    for (int i = 0; i < 5; i++) {
      Source s = pick(Set.of());
      assertThat(s).isNotEqualTo(second);
      picker.succeeded(s);
    }
  }

  @Test
  void aHolderThatServedWrongBytesIsNeverAskedForThatVersionAgain() {
    picker.servedWrongContent(A, SHA);
    for (int i = 0; i < 10; i++) {
      Source s = pick(Set.of());
      assertThat(s).isIn(B, C);
      picker.succeeded(s);
    }
    assertThat(picker.isBad(A, SHA)).isTrue();
    assertThat(picker.isBad(A, "b".repeat(64))).isFalse();
    assertThat(pick(Set.of(B.address(), C.address()))).isNull();
  }
}
