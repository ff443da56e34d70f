package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expected strings were produced by CPython 3's {@code json.dumps} with its defaults (checked by
 * hand, e.g. {@code json.dumps({"port": 8000, "files": [{"name": "\u00e9", "mtime": 0}]})}).
 */
class SeedCodecTest {

  private static Buffer line(String json) {
    return Buffer.buffer(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The encoders end in {@code \n}; the decoders take the line without it (RecordParser strips it).
   */
  private static Buffer withoutNewline(String encoded) {
    assertThat(encoded).endsWith("\n");
    return line(encoded.substring(0, encoded.length() - 1));
  }

  // ---- encodeInit / encodeKeepAlive -----------------------------------------------------------

  @Test
  void encodeInitMatchesPython() {
    assertThat(SeedCodec.encodeInit(8000, List.of(new FileEntry("fileA.txt", 1771289241))))
        .isEqualTo(
            "{\"port\": 8000, \"files\": [{\"name\": \"fileA.txt\", \"mtime\": 1771289241}]}\n");
  }

  @Test
  void encodeInitWithoutFiles() {
    assertThat(SeedCodec.encodeInit(8000, List.of()))
        .isEqualTo("{\"port\": 8000, \"files\": []}\n");
  }

  @Test
  void encodeInitWithSeveralFilesKeepsOrderAndNegativeMtime() {
    String expected =
        "{\"port\": 8000, \"files\": [{\"name\": \"\\u00e9 \\ud83d\\ude00\\u007f\\\"\\\\\", "
            + "\"mtime\": 0}, {\"name\": \"b\", \"mtime\": -5}]}\n";
    assertThat(
            SeedCodec.encodeInit(
                8000,
                List.of(new FileEntry("\u00e9 \uD83D\uDE00\u007f\"\\", 0), new FileEntry("b", -5))))
        .isEqualTo(expected);
  }

  @Test
  void encodeKeepAliveMatchesPython() {
    assertThat(SeedCodec.encodeKeepAlive(8000)).isEqualTo("{\"port\": 8000}\n");
    assertThat(SeedCodec.encodeKeepAlive(65535)).isEqualTo("{\"port\": 65535}\n");
  }

  // ---- escaping, as Python's ensure_ascii=True --------------------------------------------------

  private static String encodedName(String name) {
    String init = SeedCodec.encodeInit(1, List.of(new FileEntry(name, 2)));
    String prefix = "{\"port\": 1, \"files\": [{\"name\": ";
    String suffix = ", \"mtime\": 2}]}\n";
    assertThat(init).startsWith(prefix).endsWith(suffix);
    return init.substring(prefix.length(), init.length() - suffix.length());
  }

  @Test
  void nonAsciiIsEscapedInLowerCaseHex() {
    assertThat(encodedName("caf\u00e9.txt")).isEqualTo("\"caf\\u00e9.txt\"");
    assertThat(encodedName("\u65e5\u672c\u8a9e.txt")).isEqualTo("\"\\u65e5\\u672c\\u8a9e.txt\"");
    assertThat(encodedName("\u00ff\u0080\u2028\uABCD"))
        .isEqualTo("\"\\u00ff\\u0080\\u2028\\uabcd\"");
  }

  @Test
  void emojiIsEscapedAsASurrogatePair() {
    assertThat(encodedName("\uD83D\uDE00.txt")).isEqualTo("\"\\ud83d\\ude00.txt\"");
    assertThat(encodedName(new String(Character.toChars(0x10FFFF))))
        .isEqualTo("\"\\udbff\\udfff\"");
  }

  @Test
  void quotesAndBackslashesAreEscaped() {
    assertThat(encodedName("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
  }

  @Test
  void controlCharactersUseShortFormsOrLowerCaseEscapes() {
    assertThat(encodedName("t\tn\nr\rb\bf\f")).isEqualTo("\"t\\tn\\nr\\rb\\bf\\f\"");
    assertThat(encodedName("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
    assertThat(encodedName("\u000b")).isEqualTo("\"\\u000b\"");
  }

  @Test
  void deleteIsEscaped() {
    assertThat(encodedName("\u007f")).isEqualTo("\"\\u007f\"");
  }

  @Test
  void printableAsciiIsWrittenAsIs() {
    StringBuilder all = new StringBuilder();
    for (char c = 0x20; c < 0x7f; c++) {
      if (c != '"' && c != '\\') {
        all.append(c);
      }
    }
    assertThat(encodedName(all.toString())).isEqualTo("\"" + all + "\"");
  }

  @Test
  void loneSurrogateIsEscapedAlone() {
    assertThat(encodedName("\uD800")).isEqualTo("\"\\ud800\"");
  }

  // ---- encodeDirectory --------------------------------------------------------------------------

  @Test
  void encodeDirectoryMatchesPython() {
    Map<String, DirectoryEntry> directory = new LinkedHashMap<>();
    directory.put("fileA.txt", new DirectoryEntry("127.0.0.1", 8001, 1771289241));
    assertThat(SeedCodec.encodeDirectory(directory))
        .isEqualTo(
            "{\"fileA.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 1771289241}}\n");
  }

  @Test
  void encodeEmptyDirectory() {
    assertThat(SeedCodec.encodeDirectory(Map.of())).isEqualTo("{}\n");
  }

  @Test
  void encodeDirectoryKeepsMapOrderAndEscapes() {
    Map<String, DirectoryEntry> directory = new LinkedHashMap<>();
    directory.put("\u00e9", new DirectoryEntry("::1", 1, Long.MAX_VALUE));
    directory.put("b", new DirectoryEntry("10.0.0.1", 65535, 0));
    assertThat(SeedCodec.encodeDirectory(directory))
        .isEqualTo(
            "{\"\\u00e9\": {\"ip\": \"::1\", \"port\": 1, \"mtime\": 9223372036854775807}, "
                + "\"b\": {\"ip\": \"10.0.0.1\", \"port\": 65535, \"mtime\": 0}}\n");
  }

  @Test
  void encodeDirectoryMemberWritesOneMember() {
    byte[] member = SeedCodec.encodeDirectoryMember("a\"b", "h\u00e9", 80, -1);
    assertThat(new String(member, StandardCharsets.US_ASCII))
        .isEqualTo("\"a\\\"b\": {\"ip\": \"h\\u00e9\", \"port\": 80, \"mtime\": -1}");
  }

  @Test
  void directoryLineJoinsMembersAsPythonDoes() {
    assertThat(SeedCodec.directoryLine(List.of()).toString()).isEqualTo("{}\n");
    assertThat(
            SeedCodec.directoryLine(
                    List.of(
                        "\"a\": 1".getBytes(StandardCharsets.US_ASCII),
                        "\"b\": 2".getBytes(StandardCharsets.US_ASCII)))
                .toString())
        .isEqualTo("{\"a\": 1, \"b\": 2}\n");
  }

  @Test
  void aRepeatedKeyIsReadAsPythonDoesLastOneWins() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(
            line(
                "{\"port\": \"x\", \"port\": 8000, \"files\": 3, \"files\": [{\"name\": \"a\", \"name\": \"b\", \"mtime\": 1}]}"));
    assertThat(message.port()).isEqualTo(8000);
    assertThat(message.files()).containsExactly(new FileEntry("b", 1));
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line("{\"port\": 8000, \"port\": 0}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("port");
  }

  // ---- decodePeerMessage ------------------------------------------------------------------------

  @Test
  void decodesAnInit() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(
            line(
                "{\"port\": 8000, \"files\": [{\"name\": \"fileA.txt\", \"mtime\": 1771289241}, "
                    + "{\"name\": \"fileB.txt\", \"mtime\": 5}]}"));
    assertThat(message.port()).isEqualTo(8000);
    assertThat(message.hasFiles()).isTrue();
    assertThat(message.files())
        .containsExactly(new FileEntry("fileA.txt", 1771289241), new FileEntry("fileB.txt", 5));
    assertThat(message.rejectedNames()).isEmpty();
  }

  @Test
  void decodesAKeepAlive() throws Exception {
    SeedCodec.PeerMessage message = SeedCodec.decodePeerMessage(line("{\"port\": 8001}"));
    assertThat(message.port()).isEqualTo(8001);
    assertThat(message.hasFiles()).isFalse();
    assertThat(message.files()).isNull();
    assertThat(message.rejectedNames()).isEmpty();
  }

  @Test
  void filesNullIsLikeNoFiles() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(line("{\"port\": 8001, \"files\": null}"));
    assertThat(message.hasFiles()).isFalse();
  }

  @Test
  void emptyFilesIsStillAFileList() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(line("{\"port\": 8001, \"files\": []}"));
    assertThat(message.hasFiles()).isTrue();
    assertThat(message.files()).isEmpty();
  }

  @Test
  void missingPortGivesNullPort() throws Exception {
    assertThat(SeedCodec.decodePeerMessage(line("{}")).port()).isNull();
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(line("{\"files\": [{\"name\": \"a\", \"mtime\": 1}]}"));
    assertThat(message.port()).isNull();
    assertThat(message.files()).containsExactly(new FileEntry("a", 1));
  }

  @Test
  void portBoundsAreAccepted() throws Exception {
    assertThat(SeedCodec.decodePeerMessage(line("{\"port\": 1}")).port()).isEqualTo(1);
    assertThat(SeedCodec.decodePeerMessage(line("{\"port\": 65535}")).port()).isEqualTo(65535);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "65536", "4294975296", "99999999999999999999999"})
  void portOutOfRangeThrows(String port) {
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line("{\"port\": " + port + "}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"8000\"", "8000.5", "8000.0", "true", "null", "[8000]", "{}"})
  void portOfTheWrongTypeThrows(String port) {
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line("{\"port\": " + port + "}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("\"port\" must be an integer");
  }

  @Test
  void floatMtimeIsFloored() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(
            line(
                "{\"port\": 8000, \"files\": [{\"name\": \"a\", \"mtime\": 1771289241.9}, "
                    + "{\"name\": \"b\", \"mtime\": 1771289241.0}, {\"name\": \"c\", \"mtime\": 1.5e9}]}"));
    assertThat(message.files())
        .containsExactly(
            new FileEntry("a", 1771289241),
            new FileEntry("b", 1771289241),
            new FileEntry("c", 1_500_000_000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1\"", "null", "true", "[]", "1e300", "99999999999999999999"})
  void badMtimeThrows(String mtime) {
    assertThatThrownBy(
            () ->
                SeedCodec.decodePeerMessage(
                    line(
                        "{\"port\": 8000, \"files\": [{\"name\": \"a\", \"mtime\": "
                            + mtime
                            + "}]}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("mtime");
  }

  @Test
  void missingMtimeThrows() {
    assertThatThrownBy(
            () ->
                SeedCodec.decodePeerMessage(
                    line("{\"port\": 8000, \"files\": [{\"name\": \"a\"}]}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("mtime");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "\"a.txt\"", "1", "true"})
  void filesNotAnArrayThrows(String files) {
    assertThatThrownBy(
            () -> SeedCodec.decodePeerMessage(line("{\"port\": 8000, \"files\": " + files + "}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("\"files\" must be an array");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"a.txt\"", "1", "null", "[]"})
  void fileEntryNotAnObjectThrows(String entry) {
    assertThatThrownBy(
            () -> SeedCodec.decodePeerMessage(line("{\"port\": 8000, \"files\": [" + entry + "]}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"mtime\": 1}",
        "{\"name\": null, \"mtime\": 1}",
        "{\"name\": 5, \"mtime\": 1}",
        "{\"name\": [\"a\"], \"mtime\": 1}"
      })
  void fileEntryWithoutAStringNameThrows(String entry) {
    assertThatThrownBy(
            () ->
                SeedCodec.decodePeerMessage(
                    line(
                        "{\"port\": 8000, \"files\": [{\"name\": \"ok\", \"mtime\": 1}, "
                            + entry
                            + "]}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("\"name\" must be a string");
  }

  @Test
  void unsafeNamesAreRejectedNotListed() throws Exception {
    String json =
        "{\"port\": 8000, \"files\": ["
            + "{\"name\": \"good.txt\", \"mtime\": 1}, "
            + "{\"name\": \"../x\", \"mtime\": 2}, "
            + "{\"name\": \"a/b\", \"mtime\": 3}, "
            + "{\"name\": \"a\\\\b\", \"mtime\": 3}, "
            + "{\"name\": \"temp.py\", \"mtime\": 4}, "
            + "{\"name\": \"x.so\", \"mtime\": 5}, "
            + "{\"name\": \"x.dll\", \"mtime\": 6}, "
            + "{\"name\": \"nul\\u0000inside\", \"mtime\": 7}, "
            + "{\"name\": \"..\", \"mtime\": 8}, "
            + "{\"name\": \"\", \"mtime\": 9}, "
            + "{\"name\": \"\\ud800\", \"mtime\": 10}, "
            + "{\"name\": \".p2psync-1234.part\", \"mtime\": 11}, "
            + "{\"name\": \"also good\", \"mtime\": 12}]}";
    SeedCodec.PeerMessage message = SeedCodec.decodePeerMessage(line(json));
    assertThat(message.port()).isEqualTo(8000);
    assertThat(message.files())
        .containsExactly(new FileEntry("good.txt", 1), new FileEntry("also good", 12));
    assertThat(message.rejectedNames())
        .containsExactly(
            "../x",
            "a/b",
            "a\\b",
            "temp.py",
            "x.so",
            "x.dll",
            "nul\u0000inside",
            "..",
            "",
            "\uD800",
            ".p2psync-1234.part");
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(
            line(
                "{\"v\": 2, \"port\": 8000, \"extra\": {\"x\": [1, 2]}, "
                    + "\"files\": [{\"name\": \"a\", \"mtime\": 1, \"size\": 10, \"sha256\": \"00\"}]}"));
    assertThat(message.port()).isEqualTo(8000);
    assertThat(message.files()).containsExactly(new FileEntry("a", 1));
  }

  @Test
  void rawUtf8AndEscapedNamesDecodeAlike() throws Exception {
    SeedCodec.PeerMessage raw =
        SeedCodec.decodePeerMessage(
            line(
                "{\"port\": 8000, \"files\": [{\"name\": \"caf\u00e9 \uD83D\uDE00\", \"mtime\": 1}]}"));
    SeedCodec.PeerMessage escaped =
        SeedCodec.decodePeerMessage(
            line(
                "{\"port\": 8000, \"files\": [{\"name\": \"caf\\u00e9 \\ud83d\\ude00\", \"mtime\": 1}]}"));
    assertThat(raw.files()).containsExactly(new FileEntry("caf\u00e9 \uD83D\uDE00", 1));
    assertThat(escaped.files()).isEqualTo(raw.files());
  }

  @Test
  void trailingCarriageReturnAndSpacesAreWhitespace() throws Exception {
    assertThat(SeedCodec.decodePeerMessage(line("  {\"port\": 8000}  \r")).port()).isEqualTo(8000);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "not json",
        "{",
        "{\"port\": ",
        "{\"port\": 8000",
        "{port: 8000}",
        "{'port': 8000}",
        "{\"port\": 8000,}",
        "{\"port\": 8000}}",
        "{\"port\": 8000} {\"port\": 8001}",
        "{\"port\": 8000} x",
        "{\"port\": NaN}",
        "\"unterminated"
      })
  void invalidJsonThrows(String json) {
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line(json)))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> SeedCodec.decodeDirectory(line(json)))
        .isInstanceOf(ProtocolException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"port\": 8000}]", "42", "-1.5", "\"text\"", "true", "null"})
  void nonObjectJsonThrows(String json) {
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line(json)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> SeedCodec.decodeDirectory(line(json)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("expected a JSON object");
  }

  private static Buffer withBytes(String before, byte[] middle, String after) {
    return Buffer.buffer().appendString(before).appendBytes(middle).appendString(after);
  }

  static List<byte[]> invalidUtf8() {
    return List.of(
        new byte[] {(byte) 0xff},
        new byte[] {(byte) 0xc3, 0x28}, // lead byte followed by ASCII
        new byte[] {(byte) 0xc3}, // truncated sequence
        new byte[] {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
        new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/'
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // UTF-8 encoded surrogate (CESU)
        new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        new byte[] {(byte) 0x80}); // lone continuation byte
  }

  @Test
  void invalidUtf8Throws() {
    for (byte[] bad : invalidUtf8()) {
      Buffer peer =
          withBytes("{\"port\": 8000, \"files\": [{\"name\": \"a", bad, "\", \"mtime\": 1}]}");
      assertThatThrownBy(() -> SeedCodec.decodePeerMessage(peer))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("UTF-8");
      Buffer directory =
          withBytes("{\"a", bad, "\": {\"ip\": \"1.2.3.4\", \"port\": 1, \"mtime\": 1}}");
      assertThatThrownBy(() -> SeedCodec.decodeDirectory(directory))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("UTF-8");
    }
  }

  @Test
  void decodeUtf8IsStrict() throws Exception {
    assertThat(SeedCodec.decodeUtf8(line("caf\u00e9 \uD83D\uDE00")))
        .isEqualTo("caf\u00e9 \uD83D\uDE00");
    for (byte[] bad : invalidUtf8()) {
      assertThatThrownBy(() -> SeedCodec.decodeUtf8(Buffer.buffer(bad)))
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void deeplyNestedJsonIsAProtocolError() {
    String deep = "{\"port\": 8000, \"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThatThrownBy(() -> SeedCodec.decodePeerMessage(line(deep)))
        .isInstanceOf(ProtocolException.class);
  }

  // ---- decodeDirectory --------------------------------------------------------------------------

  @Test
  void decodesADirectoryFromThePythonTracker() throws Exception {
    SeedCodec.Directory directory =
        SeedCodec.decodeDirectory(
            line(
                "{\"fileB.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1771289244}, "
                    + "\"fileA.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 1771289241}, "
                    + "\"fileC.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8002, \"mtime\": 1771289247}}"));
    assertThat(directory.rejected()).isEmpty();
    assertThat(directory.entries())
        .containsExactly(
            entry("fileB.txt", new DirectoryEntry("127.0.0.1", 8000, 1771289244)),
            entry("fileA.txt", new DirectoryEntry("127.0.0.1", 8001, 1771289241)),
            entry("fileC.txt", new DirectoryEntry("127.0.0.1", 8002, 1771289247)));
    assertThat(directory.entries().get("fileA.txt").address()).isEqualTo("127.0.0.1:8001");
  }

  @Test
  void decodesAnEmptyDirectory() throws Exception {
    SeedCodec.Directory directory = SeedCodec.decodeDirectory(line("{}"));
    assertThat(directory.entries()).isEmpty();
    assertThat(directory.rejected()).isEmpty();
  }

  @Test
  void badEntriesAreReportedAndTheRestKept() throws Exception {
    String json =
        "{"
            + "\"good1\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 1}, "
            + "\"../evil\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 1}, "
            + "\"sub/file\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 1}, "
            + "\"lib.so\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 1}, "
            + "\"noip\": {\"port\": 8000, \"mtime\": 1}, "
            + "\"numip\": {\"ip\": 10, \"port\": 8000, \"mtime\": 1}, "
            + "\"port0\": {\"ip\": \"10.0.0.1\", \"port\": 0, \"mtime\": 1}, "
            + "\"porthigh\": {\"ip\": \"10.0.0.1\", \"port\": 65536, \"mtime\": 1}, "
            + "\"portstr\": {\"ip\": \"10.0.0.1\", \"port\": \"8000\", \"mtime\": 1}, "
            + "\"noport\": {\"ip\": \"10.0.0.1\", \"mtime\": 1}, "
            + "\"mtimestr\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": \"1\"}, "
            + "\"nomtime\": {\"ip\": \"10.0.0.1\", \"port\": 8000}, "
            + "\"notobject\": 5, "
            + "\"good2\": {\"ip\": \"::1\", \"port\": 65535, \"mtime\": 2.7, \"alt\": [\"x\"]}"
            + "}";
    SeedCodec.Directory directory = SeedCodec.decodeDirectory(line(json));
    assertThat(directory.entries())
        .containsExactly(
            entry("good1", new DirectoryEntry("10.0.0.1", 8000, 1)),
            entry("good2", new DirectoryEntry("::1", 65535, 2)));
    assertThat(directory.rejected()).hasSize(12);
    List<String> expectedNames =
        List.of(
            "../evil",
            "sub/file",
            "lib.so",
            "noip",
            "numip",
            "port0",
            "porthigh",
            "portstr",
            "noport",
            "mtimestr",
            "nomtime",
            "notobject");
    for (int i = 0; i < expectedNames.size(); i++) {
      assertThat(directory.rejected().get(i)).startsWith(expectedNames.get(i) + " (").endsWith(")");
    }
    assertThat(directory.rejected().get(0)).contains("path separator");
    assertThat(directory.rejected().get(2)).contains(".so");
    assertThat(directory.rejected().get(3)).contains("\"ip\" must be a string");
    assertThat(directory.rejected().get(5)).contains("\"port\" out of range");
    assertThat(directory.rejected().get(10)).contains("mtime");
    assertThat(directory.rejected().get(11)).contains("not an object");
  }

  @Test
  void directoryRoundTrip() throws Exception {
    Map<String, DirectoryEntry> original = new LinkedHashMap<>();
    original.put("fileA.txt", new DirectoryEntry("127.0.0.1", 8001, 1771289241));
    original.put("caf\u00e9 \uD83D\uDE00 \"q\" :*?", new DirectoryEntry("192.168.1.20", 1, -3));
    original.put("z", new DirectoryEntry("fe80::1", 65535, SeedCodec.MAX_MTIME));
    original.put("m", new DirectoryEntry("h", 9, SeedCodec.MIN_MTIME));
    SeedCodec.Directory decoded =
        SeedCodec.decodeDirectory(withoutNewline(SeedCodec.encodeDirectory(original)));
    assertThat(decoded.rejected()).isEmpty();
    assertThat(decoded.entries()).containsExactlyEntriesOf(original);
  }

  @Test
  void initRoundTrip() throws Exception {
    List<FileEntry> files =
        List.of(
            new FileEntry("a.txt", 1),
            new FileEntry("\u65e5\u672c", SeedCodec.MAX_MTIME),
            new FileEntry("b \"x\"", SeedCodec.MIN_MTIME));
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(withoutNewline(SeedCodec.encodeInit(8123, files)));
    assertThat(message.port()).isEqualTo(8123);
    assertThat(message.files()).isEqualTo(files);
    assertThat(message.rejectedNames()).isEmpty();
  }

  @Test
  void keepAliveRoundTrip() throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(withoutNewline(SeedCodec.encodeKeepAlive(9)));
    assertThat(message.port()).isEqualTo(9);
    assertThat(message.hasFiles()).isFalse();
  }

  // ---- properties -------------------------------------------------------------------------------

  /** Code points of every kind: printable ASCII, JSON specials, BMP, astral (surrogate pairs). */
  @Provide
  Arbitrary<String> syncableNames() {
    Arbitrary<Integer> codePoint =
        Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.integers().between(0x20, 0x7e)),
            Tuple.of(1, Arbitraries.of((int) '"', (int) '\\', (int) '.', 0x2028, 0xfeff, 0xfffd)),
            Tuple.of(2, Arbitraries.integers().between(0x80, 0xd7ff)),
            Tuple.of(1, Arbitraries.integers().between(0xe000, 0xffff)),
            Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)));
    return codePoint
        .list()
        .ofMinSize(1)
        .ofMaxSize(40)
        .map(
            cps -> {
              StringBuilder sb = new StringBuilder();
              cps.forEach(sb::appendCodePoint);
              return sb.toString();
            })
        .filter(FileNames::isSyncable);
  }

  @Provide
  Arbitrary<FileEntry> fileEntries() {
    return Combinators.combine(syncableNames(), mtimes()).as(FileEntry::new);
  }

  @Provide
  Arbitrary<DirectoryEntry> directoryEntries() {
    Arbitrary<String> ip =
        Arbitraries.oneOf(
            Arbitraries.integers()
                .between(0, 255)
                .list()
                .ofSize(4)
                .map(
                    parts ->
                        parts.get(0)
                            + "."
                            + parts.get(1)
                            + "."
                            + parts.get(2)
                            + "."
                            + parts.get(3)),
            Arbitraries.strings().all().ofMaxLength(20));
    return Combinators.combine(ip, Arbitraries.integers().between(1, 65_535), mtimes())
        .as(DirectoryEntry::new);
  }

  @Property(tries = 500)
  void initRoundTripsAnySyncableNames(
      @ForAll @IntRange(min = 1, max = 65_535) int port,
      @ForAll List<@From("fileEntries") FileEntry> files)
      throws Exception {
    String encoded = SeedCodec.encodeInit(port, files);
    assertThat(encoded.chars())
        .as("ensure_ascii output")
        .allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n');
    assertThat(encoded.indexOf('\n')).isEqualTo(encoded.length() - 1);

    SeedCodec.PeerMessage message = SeedCodec.decodePeerMessage(withoutNewline(encoded));
    assertThat(message.port()).isEqualTo(port);
    assertThat(message.files()).isEqualTo(files);
    assertThat(message.rejectedNames()).isEmpty();
  }

  @Property(tries = 500)
  void directoryRoundTripsAnySyncableNames(
      @ForAll List<@From("syncableNames") String> names,
      @ForAll List<@From("directoryEntries") DirectoryEntry> entries)
      throws Exception {
    Map<String, DirectoryEntry> original = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(names.size(), entries.size()); i++) {
      original.put(names.get(i), entries.get(i));
    }
    String encoded = SeedCodec.encodeDirectory(original);
    assertThat(encoded.chars())
        .as("ensure_ascii output")
        .allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n');

    SeedCodec.Directory decoded = SeedCodec.decodeDirectory(withoutNewline(encoded));
    assertThat(decoded.rejected()).isEmpty();
    assertThat(decoded.entries()).containsExactlyEntriesOf(original);
  }

  @Property(tries = 1000)
  void randomBytesFailOnlyWithProtocolException(@ForAll byte[] bytes) {
    decodeExpectingOnlyProtocolErrors(Buffer.buffer(bytes));
  }

  /** Random text made of JSON's own characters reaches the parser and the field checks. */
  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> tokens =
        Arbitraries.of(
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"",
            "\"port\"",
            "\"files\"",
            "\"name\"",
            "\"mtime\"",
            "\"ip\"",
            "0",
            "1",
            "8000",
            "-",
            ".",
            "e",
            "1.5",
            "1e999",
            "99999999999999999999",
            "true",
            "false",
            "null",
            "\"a.txt\"",
            "\"../x\"",
            "\\u",
            "\\ud800",
            "\\",
            " ",
            "\u00e9",
            "\uD83D\uDE00");
    return tokens.list().ofMaxSize(40).map(parts -> String.join("", parts));
  }

  @Property(tries = 2000)
  void jsonishTextFailsOnlyWithProtocolException(@ForAll("jsonish") String text) {
    decodeExpectingOnlyProtocolErrors(line(text));
  }

  @Property(tries = 500)
  void wellFormedMessagesWithRandomValuesFailOnlyWithProtocolException(
      @ForAll("jsonish") String port,
      @ForAll("jsonish") String name,
      @ForAll("jsonish") String mtime) {
    decodeExpectingOnlyProtocolErrors(
        line(
            "{\"port\": "
                + port
                + ", \"files\": [{\"name\": "
                + name
                + ", \"mtime\": "
                + mtime
                + "}]}"));
    decodeExpectingOnlyProtocolErrors(
        line(
            "{"
                + name
                + ": {\"ip\": "
                + port
                + ", \"port\": "
                + port
                + ", \"mtime\": "
                + mtime
                + "}}"));
  }

  @Property(tries = 2000)
  void theStreamingReaderAgreesWithTheTreeReader(
      @ForAll("jsonish") String port,
      @ForAll("jsonish") String name,
      @ForAll("jsonish") String mtime,
      @ForAll("jsonish") String extra) {
    for (String text :
        List.of(
            "{\"port\": "
                + port
                + ", \"files\": [{\"name\": "
                + name
                + ", \"mtime\": "
                + mtime
                + "}]}",
            "{\"files\": [{\"mtime\": "
                + mtime
                + ", \"x\": "
                + extra
                + ", \"name\": "
                + name
                + "}], \"port\": "
                + port
                + "}",
            "{" + extra + "}",
            port + name + mtime,
            // incremental advertisements (v2): read only in a v2 message without files
            "{\"port\": "
                + port
                + ", \"v\": 2, \"changed\": [{\"name\": "
                + name
                + ", \"mtime\": "
                + mtime
                + ", \"deleted\": true}], \"removed\": ["
                + extra
                + "]}",
            "{\"removed\": " + name + ", \"v\": " + extra + ", \"port\": 1}",
            "{\"changed\": " + extra + ", \"port\": 1, \"v\": 2, \"files\": " + name + "}")) {
      assertSameOutcome(line(text));
    }
  }

  /** Both readers accept with equal results, or both reject. */
  private static void assertSameOutcome(Buffer input) {
    SeedCodec.PeerMessage streamed = null;
    SeedCodec.PeerMessage tree = null;
    boolean streamedFailed = false;
    boolean treeFailed = false;
    try {
      streamed = SeedCodec.decodePeerMessage(input);
    } catch (ProtocolException e) {
      streamedFailed = true;
    }
    try {
      tree = SeedCodec.decodePeerMessageWithTree(input);
    } catch (ProtocolException e) {
      treeFailed = true;
    }
    assertThat(streamedFailed).as("streaming reader failed on %s", input).isEqualTo(treeFailed);
    assertThat(streamed).as("decoded %s", input).isEqualTo(tree);
  }

  private static void decodeExpectingOnlyProtocolErrors(Buffer input) {
    List<Throwable> unexpected = new ArrayList<>();
    try {
      SeedCodec.PeerMessage message = SeedCodec.decodePeerMessage(input);
      if (message.port() != null) {
        assertThat(message.port()).isBetween(1, 65_535);
      }
      if (message.files() != null) {
        assertThat(message.files()).allMatch(f -> FileNames.isSyncable(f.name()));
      }
    } catch (ProtocolException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (RuntimeException e) {
      unexpected.add(e);
    }
    try {
      SeedCodec.Directory directory = SeedCodec.decodeDirectory(input);
      assertThat(directory.entries().keySet()).allMatch(FileNames::isSyncable);
      assertThat(directory.entries().values()).allMatch(e -> e.port() >= 1 && e.port() <= 65_535);
    } catch (ProtocolException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (RuntimeException e) {
      unexpected.add(e);
    }
    assertThat(unexpected).as("exceptions other than ProtocolException").isEmpty();
  }

  /** Any mtime the codec accepts, edges included. */
  private static Arbitrary<Long> mtimes() {
    return Arbitraries.longs()
        .between(SeedCodec.MIN_MTIME, SeedCodec.MAX_MTIME)
        .edgeCases(edges -> edges.add(SeedCodec.MIN_MTIME, SeedCodec.MAX_MTIME, 0L));
  }

  @Test
  void mtimesOutsideYears1To9999AreRejected() {
    for (long mtime :
        new long[] {
          SeedCodec.MAX_MTIME + 1, SeedCodec.MIN_MTIME - 1, Long.MAX_VALUE, Long.MIN_VALUE
        }) {
      assertThatThrownBy(
              () ->
                  SeedCodec.decodePeerMessage(
                      Buffer.buffer(
                          "{\"port\": 1, \"files\": [{\"name\": \"a\", \"mtime\": "
                              + mtime
                              + "}]}")))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("mtime");
    }
  }
}
