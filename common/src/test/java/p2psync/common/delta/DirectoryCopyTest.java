package p2psync.common.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2psync.common.DirectoryEntry;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;
import p2psync.common.v2.V2Entry;

class DirectoryCopyTest {
  private static final long EPOCH = 77;

  private static byte[] seed(String name, int port, long mtime) {
    return CompactMember.encodeSeed(name, "10.0.0.1", port, mtime);
  }

  /** A versioned line as a tracker writes it; {@code null} values are removals. */
  private static Buffer line(long from, long version, long hash, TreeMap<String, byte[]> members) {
    List<byte[]> all = new ArrayList<>();
    all.add(DeltaLine.mark(EPOCH, from, version, hash));
    members.forEach((name, member) -> all.add(member == null ? DeltaLine.removal(name) : member));
    Buffer line = SeedCodec.directoryLine(all);
    return line.slice(0, line.length() - 1);
  }

  private static long sum(TreeMap<String, byte[]> directory) {
    return directory.values().stream().mapToLong(MemberHash::of).sum();
  }

  private static TreeMap<String, byte[]> members(Object... nameAndMember) {
    TreeMap<String, byte[]> map = new TreeMap<>();
    for (int i = 0; i < nameAndMember.length; i += 2) {
      map.put((String) nameAndMember[i], (byte[]) nameAndMember[i + 1]);
    }
    return map;
  }

  @Test
  void aFullLineThenDeltasKeepTheCopyEqualToTheDirectory() throws Exception {
    TreeMap<String, byte[]> v1 =
        members("a.txt", seed("a.txt", 8000, 5), "b.txt", seed("b.txt", 8001, 6));
    DirectoryCopy copy = new DirectoryCopy();
    assertThat(copy.apply(DeltaLine.decode(line(0, 1, sum(v1), v1))))
        .containsExactly("a.txt", "b.txt");
    assertThat(copy.entries())
        .containsEntry("a.txt", new DirectoryEntry("10.0.0.1", 8000, 5))
        .hasSize(2);

    byte[] v2Member = encodeV2("c.bin", 8002, 7, List.of(new V2Entry.Source("10.0.0.1", 8002)));
    TreeMap<String, byte[]> v2 = members("a.txt", seed("a.txt", 8000, 9), "c.bin", v2Member);
    TreeMap<String, byte[]> delta =
        members("a.txt", seed("a.txt", 8000, 9), "b.txt", null, "c.bin", v2Member);
    assertThat(copy.apply(DeltaLine.decode(line(1, 2, sum(v2), delta))))
        .containsExactly("a.txt", "b.txt", "c.bin");
    assertThat(copy.entries().keySet()).containsExactly("a.txt", "c.bin");
    assertThat(copy.entries().get("a.txt").mtime()).isEqualTo(9);
    assertThat(copy.entries().get("c.bin").v2().sources()).hasSize(1);
    assertThat(copy.request(true)).isEqualTo(new DeltaRequest(EPOCH, 2, true));

    // no change: a mark alone, whatever the directory's size
    Buffer none = line(2, 2, sum(v2), members());
    assertThat(none.length()).isLessThan(70);
    assertThat(copy.apply(DeltaLine.decode(none))).isEmpty();
    assertThat(copy.version()).isEqualTo(2);
  }

  static Stream<Arguments> outOfStep() {
    TreeMap<String, byte[]> v1 = members("a.txt", seed("a.txt", 8000, 5));
    long h1 = sum(v1);
    TreeMap<String, byte[]> change = members("a.txt", seed("a.txt", 8000, 6));
    return Stream.of(
        Arguments.of("a gap: from a version not held", line(3, 4, sum(change), change)),
        Arguments.of("a wrong hash", line(1, 2, h1, change)),
        Arguments.of(
            "another epoch",
            Buffer.buffer(
                line(1, 2, sum(change), change)
                    .toString()
                    .replace("\"d\": [77, ", "\"d\": [78, "))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void outOfStep(String why, Buffer bad) throws Exception {
    TreeMap<String, byte[]> v1 = members("a.txt", seed("a.txt", 8000, 5));
    DirectoryCopy copy = new DirectoryCopy();
    copy.apply(DeltaLine.decode(line(0, 1, sum(v1), v1)));
    assertThatThrownBy(() -> copy.apply(DeltaLine.decode(bad)))
        .isInstanceOf(DirectoryCopy.OutOfStep.class);
    // nothing changed: still version 1 with its entry
    assertThat(copy.version()).isEqualTo(1);
    assertThat(copy.entries().get("a.txt").mtime()).isEqualTo(5);
  }

  @Test
  void aRemovalOfANameNotHeldIsNoChange() throws Exception {
    TreeMap<String, byte[]> v1 = members("a.txt", seed("a.txt", 8000, 5));
    DirectoryCopy copy = new DirectoryCopy();
    copy.apply(DeltaLine.decode(line(0, 1, sum(v1), v1)));
    assertThat(copy.apply(DeltaLine.decode(line(1, 3, sum(v1), members("z.txt", null))))).isEmpty();
    assertThat(copy.version()).isEqualTo(3);
  }

  @Test
  void aFullLineWithAWrongHashIsRefusedAndTheOldCopyKept() throws Exception {
    TreeMap<String, byte[]> v1 = members("a.txt", seed("a.txt", 8000, 5));
    DirectoryCopy copy = new DirectoryCopy();
    copy.apply(DeltaLine.decode(line(0, 1, sum(v1), v1)));
    TreeMap<String, byte[]> v9 = members("b.txt", seed("b.txt", 8000, 5));
    assertThatThrownBy(() -> copy.apply(DeltaLine.decode(line(0, 9, sum(v9) + 1, v9))))
        .isInstanceOf(DirectoryCopy.OutOfStep.class);
    assertThat(copy.entries().keySet()).containsExactly("a.txt");
  }

  @Test
  void anUnsafeNameCountsInTheHashButIsNotActedOn() throws Exception {
    TreeMap<String, byte[]> v1 =
        members("../x", seed("../x", 8000, 5), "a.txt", seed("a.txt", 8000, 5));
    DirectoryCopy copy = new DirectoryCopy();
    copy.apply(DeltaLine.decode(line(0, 1, sum(v1), v1)));
    assertThat(copy.entries().keySet()).containsExactly("a.txt");
    assertThat(copy.rejected()).containsKey("../x");
    TreeMap<String, byte[]> delta = members("../x", null);
    copy.apply(DeltaLine.decode(line(1, 2, sum(v1) - MemberHash.of(v1.get("../x")), delta)));
    assertThat(copy.rejected()).isEmpty();
  }

  @Test
  void theMemberHashIsOverTheBytesAsSentNonAsciiNamesEscaped() throws Exception {
    byte[] member = seed("caf\u00e9.txt", 8000, 5);
    assertThat(new String(member, StandardCharsets.US_ASCII)).startsWith("\"caf\\u00e9.txt\": [");
    DeltaLine line = DeltaLine.decode(line(0, 1, MemberHash.of(member), members("x", member)));
    assertThat(line.members().get(0).hash()).isEqualTo(MemberHash.of(member));
    assertThat(line.members().get(0).name()).isEqualTo("caf\u00e9.txt");
  }

  static Stream<String> malformed() {
    String mark = "{\"\": {\"v\": 2, \"d\": [1, 0, 1, \"AAAAAAAAAAA\"]}";
    return Stream.of(
        "{}",
        "{\"\": {\"v\": 2}}",
        "{\"\": {\"v\": 2, \"d\": [1, 0, 1]}}",
        "{\"\": {\"v\": 2, \"d\": [1, 0, 1, \"XYZ\"]}}",
        "{\"\": {\"v\": 2, \"d\": [1, 0, 1, \"AAAAAAAAAAB\"]}}", // stray bits: not canonical
        "{\"\": {\"v\": 2, \"d\": [0, 0, 1, \"AAAAAAAAAAA\"]}}",
        "{\"\": {\"v\": 2, \"d\": [1, 2, 1, \"AAAAAAAAAAA\"]}}",
        "{\"\": {\"v\": 2, \"d\": {\"epoch\": 1}}}",
        mark + ", \"a\": null}",
        mark + ", \"a\": 3}",
        mark + ", \"a\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 5}}",
        mark + "} x",
        "{\"\": {\"v\": 2, \"d\": [1, 1, 2, \"AAAAAAAAAAA\"]}, \"a\": null, \"a\": null}");
  }

  @ParameterizedTest
  @MethodSource
  void malformed(String text) {
    assertThatThrownBy(() -> DeltaLine.decode(Buffer.buffer(text)))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void deltaRequestsReadLenientlyAndWriteBack() throws Exception {
    assertThat(
            SeedCodec.decodePeerMessage(
                    Buffer.buffer(
                        "{\"port\": 8001, \"v\": 2, "
                            + new DeltaRequest(5, 9, true).encodeField()
                            + "}"))
                .deltaRequest())
        .isEqualTo(new DeltaRequest(5, 9, true));
    for (String bad :
        List.of(
            "3", "{\"epoch\": -1, \"version\": 2}", "{\"epoch\": \"5\", \"version\": 2}", "{}")) {
      assertThat(
              SeedCodec.decodePeerMessage(
                      Buffer.buffer("{\"port\": 8001, \"v\": 2, \"delta\": " + bad + "}"))
                  .deltaRequest())
          .as(bad)
          .isEqualTo(new DeltaRequest(0, 0, false));
    }
    // only a v2 message asks for deltas, and the tree reader (a repeated key) agrees
    assertThat(
            SeedCodec.decodePeerMessage(Buffer.buffer("{\"port\": 8001, \"delta\": {}}"))
                .deltaRequest())
        .isNull();
    assertThat(
            SeedCodec.decodePeerMessage(
                    Buffer.buffer(
                        "{\"port\": 1, \"port\": 8001, \"v\": 2, \"delta\": {\"push\": true}}"))
                .deltaRequest())
        .isEqualTo(new DeltaRequest(0, 0, true));
  }

  private static byte[] encodeV2(String name, int port, long mtime, List<V2Entry.Source> sources) {
    return CompactMember.encode(name, "10.0.0.1", port, mtime, 3, "a".repeat(64), false, sources);
  }
}
