package p2psync.tracker.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import p2psync.common.SeedCodec;
import p2psync.common.delta.DeltaRequest;

class DeltaLogTest {
  private final DeltaLog log = new DeltaLog(9, 3, 1_000);

  /** The mark of a full directory of epoch 9: from 0. */
  private static final String FULL = "{\"\": {\"v\": 2, \"d\": [9, 0, ";

  @AfterEach
  void close() {
    log.close();
  }

  private static Map<String, byte[]> change(String name, long mtime) {
    Map<String, byte[]> changes = new HashMap<>();
    changes.put(name, SeedCodec.encodeDirectoryMember(name, "10.0.0.1", 8000, mtime));
    return changes;
  }

  private static String text(ByteBuf line) {
    return line.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void aDeltaIsBuiltOncePerStartingVersionAndSharedUntilTheNextVersion() {
    log.publish(change("a", 1));
    log.publish(change("b", 1));
    ByteBuf first = log.reply(new DeltaRequest(9, 1, true));
    assertThat(log.reply(new DeltaRequest(9, 1, false))).isSameAs(first);
    assertThat(text(first))
        .startsWith("{\"\": {\"v\": 2, \"d\": [9, 1, 2, \"")
        .contains("\"b\": {")
        .doesNotContain("\"a\": {");
    assertThat(log.fullLine()).isSameAs(log.fullLine());
    log.publish(change("c", 1));
    // A new version, a new delta from 1 (not the old one: compared by content, as Netty recycles
    // the released buffer's object, so the same object may well come back holding other bytes).
    assertThat(text(log.reply(new DeltaRequest(9, 1, true))))
        .contains("\"d\": [9, 1, 3, \"")
        .contains("\"b\": {")
        .contains("\"c\": {");
  }

  @Test
  void unchangedMembersMakeNoVersionAndALaterChangeWins() {
    log.publish(change("a", 1));
    assertThat(log.publish(change("a", 1))).isFalse();
    assertThat(log.version()).isEqualTo(1);
    log.publish(change("a", 2));
    log.publish(change("a", 3));
    String delta = text(log.reply(1));
    assertThat(delta).contains("\"mtime\": 3").doesNotContain("\"mtime\": 2");
    Map<String, byte[]> gone = new HashMap<>();
    gone.put("a", null);
    log.publish(gone);
    assertThat(text(log.reply(3))).endsWith("\"a\": null}\n");
    assertThat(log.size()).isZero();
    assertThat(log.hash()).isZero();
  }

  @Test
  void aPeerBehindTheBoundedLogGetsTheWholeDirectory() {
    for (int i = 1; i <= 6; i++) {
      log.publish(change("n" + i, i));
    }
    assertThat(log.oldest()).isEqualTo(3); // three versions kept: 4, 5, 6
    assertThat(text(log.reply(3))).contains("\"d\": [9, 3, 6, \"");
    assertThat(text(log.reply(2))).contains(FULL).contains("\"n1\": {");
    // and bytes bound it too: one big version leaves only itself
    Map<String, byte[]> big = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      big.putAll(change("big" + i, 1));
    }
    log.publish(big);
    assertThat(log.oldest()).isEqualTo(log.version());
    assertThat(text(log.reply(6))).contains(FULL);
    // another epoch, or no version: the whole directory
    assertThat(text(log.reply(new DeltaRequest(8, 7, true)))).contains(FULL);
    assertThat(text(log.reply(new DeltaRequest(0, 0, true)))).contains(FULL);
  }
}
