package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fileA.txt",
        "a",
        ".hidden",
        "...",
        ".p2psync",
        "p2psync-x.part",
        "x.p2psync-y.part",
        "with space.txt",
        " leading and trailing ",
        "caf\u00e9.txt",
        "\u65e5\u672c\u8a9e",
        "\uD83D\uDE00.txt",
        "x.pyc",
        "x.py.txt",
        "py",
        "so",
        "x.dll.bak",
        "x.sox",
        "name:with*odd?chars|<>",
        "\u0080\u009f", // C1 controls are not ASCII control characters
        "\u2028",
        "a\"b",
      })
  void acceptsPlainNames(String name) {
    assertThat(FileNames.rejectionReason(name)).isNull();
    assertThat(FileNames.isSyncable(name)).isTrue();
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of(null, "empty"),
        Arguments.of("", "empty"),
        Arguments.of(".", "not a file name"),
        Arguments.of("..", "not a file name"),
        Arguments.of("a/b", "path separator"),
        Arguments.of("../x", "path separator"),
        Arguments.of("/etc/passwd", "path separator"),
        Arguments.of("dir/", "path separator"),
        Arguments.of("a\\b", "path separator"),
        Arguments.of("..\\x", "path separator"),
        Arguments.of("C:\\x", "path separator"),
        Arguments.of("nul\u0000inside", "control character"),
        Arguments.of("\u0000", "control character"),
        Arguments.of("line\nbreak", "control character"),
        Arguments.of("cr\r", "control character"),
        Arguments.of("tab\t", "control character"),
        Arguments.of("\u001f", "control character"),
        Arguments.of("del\u007f", "control character"),
        Arguments.of("\uD800", "not valid Unicode"),
        Arguments.of("x\uDC00", "not valid Unicode"),
        Arguments.of("\uD800a", "not valid Unicode"),
        Arguments.of("\uDE00\uD83D", "not valid Unicode"),
        Arguments.of("\uD83D\uDE00\uD83D", "not valid Unicode"),
        Arguments.of("a".repeat(256), "longer than 255 bytes"),
        Arguments.of("\u00e9".repeat(128), "longer than 255 bytes"),
        Arguments.of("\u65e5".repeat(86), "longer than 255 bytes"),
        Arguments.of("\uD83D\uDE00".repeat(64), "longer than 255 bytes"),
        Arguments.of("temp.py", "ends in .py"),
        Arguments.of(".py", "ends in .py"),
        Arguments.of("x.tar.py", "ends in .py"),
        Arguments.of("junk.dll", "ends in .dll"),
        Arguments.of("junk.so", "ends in .so"),
        Arguments.of(".p2psync-0123abcd.part", "temporary"),
        Arguments.of(".p2psync-", "temporary"),
        Arguments.of(".p2psync-anything", "temporary"));
  }

  @ParameterizedTest
  @MethodSource("rejected")
  void rejectsUnsafeNamesWithAReason(String name, String reason) {
    assertThat(FileNames.rejectionReason(name)).contains(reason);
    assertThat(FileNames.isSyncable(name)).isFalse();
  }

  @Test
  void lengthLimitIsInUtf8Bytes() {
    String ascii255 = "a".repeat(FileNames.MAX_NAME_BYTES);
    assertThat(FileNames.isSyncable(ascii255)).isTrue();
    assertThat(FileNames.isSyncable(ascii255 + "b")).isFalse();

    String threeByte255 = "\u65e5".repeat(85); // 85 x 3 bytes
    assertThat(threeByte255.getBytes(StandardCharsets.UTF_8)).hasSize(255);
    assertThat(FileNames.isSyncable(threeByte255)).isTrue();

    String fourByte252 = "\uD83D\uDE00".repeat(63); // 63 x 4 bytes, 126 chars
    assertThat(FileNames.isSyncable(fourByte252)).isTrue();
    assertThat(FileNames.isSyncable(fourByte252 + "abc")).isTrue();
    assertThat(FileNames.isSyncable(fourByte252 + "abcd")).isFalse();
  }

  @Test
  void validSurrogatePairsAreAccepted() {
    assertThat(FileNames.isSyncable("\uD83D\uDE00")).isTrue();
    assertThat(FileNames.isSyncable("a\uD83D\uDE00b\uDBFF\uDFFFc")).isTrue();
    assertThat(FileNames.isSyncable("\uD800\uDC00")).isTrue();
  }

  @Test
  void excludedSuffixesAreTheSeedOnes() {
    assertThat(FileNames.EXCLUDED_SUFFIXES).containsExactlyInAnyOrder(".py", ".dll", ".so");
  }

  @Test
  void tempNames() {
    assertThat(FileNames.isTempName(".p2psync-abc.part")).isTrue();
    assertThat(FileNames.isTempName(".p2psync-")).isTrue();
    assertThat(FileNames.isTempName(".p2psync")).isFalse();
    assertThat(FileNames.isTempName(FileNames.STATE_DIR)).isFalse();
    assertThat(FileNames.rejectionReason(FileNames.STATE_DIR)).contains("hidden state");
    assertThat(FileNames.isTempName("x.p2psync-abc.part")).isFalse();
    assertThat(FileNames.isTempName("abc.part")).isFalse();
  }

  @Test
  void newTempNameHasTheTempShape() {
    String name = FileNames.newTempName();
    assertThat(name).startsWith(FileNames.TEMP_PREFIX).endsWith(FileNames.TEMP_SUFFIX);
    String middle =
        name.substring(
            FileNames.TEMP_PREFIX.length(), name.length() - FileNames.TEMP_SUFFIX.length());
    assertThat(middle).isNotEmpty().matches("[0-9a-f]{1,16}");
    assertThat(FileNames.isTempName(name)).isTrue();
    assertThat(FileNames.isSyncable(name)).isFalse();
    assertThat(FileNames.rejectionReason(name)).contains("temporary");
  }

  @Test
  void newTempNamesDiffer() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      names.add(FileNames.newTempName());
    }
    assertThat(names).hasSize(1000);
  }

  // ---- properties -------------------------------------------------------------------------------

  @Provide
  Arbitrary<Character> forbidden() {
    return Arbitraries.of('/', '\\', '\u0000');
  }

  @Property(tries = 1000)
  void anyNameWithASeparatorOrNulIsRejected(
      @ForAll String name,
      @ForAll @IntRange(min = 0, max = 1000) int position,
      @ForAll("forbidden") char bad) {
    int at = Math.min(position, name.length());
    String withBad = name.substring(0, at) + bad + name.substring(at);
    assertThat(FileNames.isSyncable(withBad)).isFalse();
    assertThat(FileNames.rejectionReason(withBad)).isNotNull();
  }

  @Property(tries = 1000)
  void newTempNameIsNeverSyncable(@ForAll @IntRange(min = 0, max = 3) int ignored) {
    String name = FileNames.newTempName();
    assertThat(FileNames.isTempName(name)).isTrue();
    assertThat(FileNames.isSyncable(name)).isFalse();
  }

  @Property(tries = 1000)
  void syncableNamesAreSafeToWrite(@ForAll String name) {
    if (FileNames.isSyncable(name)) {
      assertThat(name).isNotEmpty().isNotIn(".", "..").doesNotContain("/", "\\", "\u0000");
      assertThat(name.getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(FileNames.MAX_NAME_BYTES);
      assertThat(name.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
      assertThat(FileNames.isTempName(name)).isFalse();
    }
  }

  @Property(tries = 500)
  void anyNameEndingInAnExcludedSuffixIsRejected(
      @ForAll String name, @ForAll("suffixes") String suffix) {
    assertThat(FileNames.isSyncable(name + suffix)).isFalse();
  }

  @Provide
  Arbitrary<String> suffixes() {
    return Arbitraries.of(FileNames.EXCLUDED_SUFFIXES);
  }
}
