package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentLengthTest {

  @Test
  void headerIsTheSeedFormat() {
    assertThat(ContentLength.header(0).toString(StandardCharsets.UTF_8))
        .isEqualTo("Content-Length: 0\n");
    assertThat(ContentLength.header(12345).toString(StandardCharsets.UTF_8))
        .isEqualTo("Content-Length: 12345\n");
    assertThat(ContentLength.header(Long.MAX_VALUE).toString(StandardCharsets.UTF_8))
        .isEqualTo("Content-Length: 9223372036854775807\n");
  }

  @Test
  void longestHeaderFitsTheLimit() {
    assertThat(ContentLength.header(Long.MAX_VALUE).length())
        .isEqualTo(36)
        .isLessThanOrEqualTo(ContentLength.MAX_HEADER_BYTES);
  }

  @Test
  void negativeLengthIsRefused() {
    assertThatThrownBy(() -> ContentLength.header(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Content-Length: 5|5",
        "Content-Length: 0|0",
        "content-length: 5|5",
        "CONTENT-LENGTH: 5|5",
        "Content-Length:5|5",
        "'Content-Length:   42   '|42",
        "Content-Length: 007|7",
        "Content-Length: 9223372036854775807|9223372036854775807",
        "Content-Length: 1771289241|1771289241",
      })
  void parsesGoodHeaders(String line, long expected) throws Exception {
    assertThat(ContentLength.parse(line)).isEqualTo(expected);
  }

  @Test
  void trailingCarriageReturnAndTabsAreTolerated() throws Exception {
    assertThat(ContentLength.parse("Content-Length: 5\r")).isEqualTo(5);
    assertThat(ContentLength.parse("Content-Length:\t7\t")).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "\r",
        "Content-Length",
        "Content-Length:",
        "Content-Length: ",
        "Content-Length: \r",
        "Content-Length: -1",
        "Content-Length: +1",
        "Content-Length: 1.5",
        "Content-Length: 1e3",
        "Content-Length: 0x10",
        "Content-Length: 12a",
        "Content-Length: 1 2",
        "Content-Length: \u0661", // Arabic-Indic digit one: Character.isDigit, but not ASCII
        "Content-Length: 9223372036854775808",
        "Content-Length: 99999999999999999999",
        "Content-Type: 5",
        "X-Content-Length: 5",
        "Content-Length : 5",
        " Content-Length: 5",
      })
  void rejectsBadHeaders(String line) {
    assertThatThrownBy(() -> ContentLength.parse(line))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("Content-Length");
  }

  @Test
  void tooLargeValueSaysSo() {
    assertThatThrownBy(() -> ContentLength.parse("Content-Length: 9223372036854775808"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void errorMessagesAreAbbreviated() {
    String junk = "x".repeat(10_000);
    assertThatThrownBy(() -> ContentLength.parse(junk))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).endsWith("..."));
    assertThatThrownBy(() -> ContentLength.parse("Content-Length: " + junk))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).endsWith("..."));
  }

  @Property(tries = 1000)
  void headerParsesBack(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long length)
      throws Exception {
    String header = ContentLength.header(length).toString(StandardCharsets.UTF_8);
    assertThat(header).endsWith("\n");
    assertThat(ContentLength.parse(header.substring(0, header.length() - 1))).isEqualTo(length);
  }
}
