package p2psync.common.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2psync.common.DirectoryEntry;
import p2psync.common.ProtocolException;
import p2psync.common.v2.V2Entry;

class CompactMemberTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final V2Entry.Source A = new V2Entry.Source("10.0.0.1", 8001);
  private static final V2Entry.Source B = new V2Entry.Source("10.0.0.2", 8000);

  /** The value of a member ({@code "name": value}) as a JSON tree. */
  private static JsonNode value(byte[] member) throws Exception {
    String text = new String(member, StandardCharsets.UTF_8);
    return JSON.readTree("{" + text + "}").elements().next();
  }

  static Stream<Arguments> members() {
    return Stream.of(
        Arguments.of(
            "a seed member",
            CompactMember.encodeSeed("s.txt", "10.0.0.3", 8000, 1771289100),
            "\"s.txt\": [1771289100, \"10.0.0.3:8000\"]",
            new DirectoryEntry("10.0.0.3", 8000, 1771289100)),
        Arguments.of(
            "a version, the named holder first among its sources",
            CompactMember.encode(
                "a.bin", "10.0.0.1", 8001, 1771289241, 1048576, SHA, false, List.of(A, B)),
            "\"a.bin\": [1771289241, 1048576, \"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg\","
                + " [\"10.0.0.1:8001\", \"10.0.0.2:8000\"]]",
            new DirectoryEntry(
                "10.0.0.1", 8001, 1771289241, new V2Entry(1048576, SHA, List.of(A, B)))),
        Arguments.of(
            "a named holder the subset of sources left out is put first",
            CompactMember.encode("a.bin", "10.0.0.1", 8001, 5, 3, SHA, false, List.of(B)),
            "\"a.bin\": [5, 3, \"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg\","
                + " [\"10.0.0.1:8001\", \"10.0.0.2:8000\"]]",
            new DirectoryEntry("10.0.0.1", 8001, 5, new V2Entry(3, SHA, List.of(A, B)))),
        Arguments.of(
            "a tombstone",
            CompactMember.encode("gone.txt", "10.0.0.2", 8000, 9, 12, SHA, true, List.of(B)),
            "\"gone.txt\": [9, 12, \"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg\","
                + " [\"10.0.0.2:8000\"], true]",
            new DirectoryEntry("10.0.0.2", 8000, 9, new V2Entry(12, SHA, List.of(B), true))),
        Arguments.of(
            "an IPv6 holder: split at the last colon",
            CompactMember.encodeSeed("x", "::1", 8000, 5),
            "\"x\": [5, \"::1:8000\"]",
            new DirectoryEntry("::1", 8000, 5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void members(String why, byte[] member, String wire, DirectoryEntry entry) throws Exception {
    assertThat(new String(member, StandardCharsets.UTF_8)).isEqualTo(wire);
    assertThat(CompactMember.decode(value(member))).isEqualTo(entry);
  }

  private static final String H = "\"" + "A".repeat(43) + "\"";

  static Stream<String> malformedMembersAreRefused() {
    return Stream.of(
        "[5]",
        "{\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 5}",
        "[5, \"10.0.0.1\"]",
        "[5, \"10.0.0.1:\"]",
        "[5, \"10.0.0.1:0\"]",
        "[5, \"10.0.0.1:65536\"]",
        "[5, \"10.0.0.1:80a\"]",
        "[5, \":8000\"]",
        "[5, 8000]",
        "[\"5\", \"10.0.0.1:8000\"]",
        "[5, 3, \"" + "A".repeat(42) + "\", [\"10.0.0.1:8000\"]]",
        "[5, 3, \"" + "A".repeat(42) + "B\", [\"10.0.0.1:8000\"]]", // stray bits: not canonical
        "[5, 3, \"" + "+".repeat(43) + "\", [\"10.0.0.1:8000\"]]", // base64, not base64url
        "[5, -1, " + H + ", [\"10.0.0.1:8000\"]]",
        "[5, 3, " + H + ", []]",
        "[5, 3, " + H + ", \"10.0.0.1:8000\"]",
        "[5, 3, " + H + ", [\"10.0.0.1:8000\"], 1]",
        "[5, 3, " + H + ", [\"10.0.0.1:8000\"], true, 1]");
  }

  @ParameterizedTest
  @MethodSource
  void malformedMembersAreRefused(String value) {
    assertThatThrownBy(() -> CompactMember.decode(JSON.readTree(value)))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void theDirectoryHashIsElevenCharactersOfBase64url() {
    for (long hash : new long[] {0, 1, -1, Long.MIN_VALUE, 0x5f0e3a9c21d4b788L}) {
      String text = MemberHash.text(hash);
      assertThat(text).hasSize(11);
      assertThat(MemberHash.parse(text)).isEqualTo(hash);
    }
    assertThat(MemberHash.text(0)).isEqualTo("AAAAAAAAAAA");
    for (String bad : new String[] {"AAAAAAAAAAB", "AAAAAAAAAA", "0000000000000000", null}) {
      assertThatThrownBy(() -> MemberHash.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
