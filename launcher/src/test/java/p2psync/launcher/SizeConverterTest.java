package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class SizeConverterTest {
  final SizeConverter sizes = new SizeConverter();

  @Test
  void binaryUnitsInAnySpelling() {
    assertThat(sizes.convert("1m")).isEqualTo(1L << 20);
    assertThat(sizes.convert("4g")).isEqualTo(4L << 30);
    assertThat(sizes.convert("64KiB")).isEqualTo(64L << 10);
    assertThat(sizes.convert("2 TB")).isEqualTo(2L << 40);
    assertThat(sizes.convert("123")).isEqualTo(123);
  }

  @Test
  void nonsenseAndOverflowAreRejected() {
    assertThatThrownBy(() -> sizes.convert("-1")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> sizes.convert("lots")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> sizes.convert("99999999999g"))
        .isInstanceOf(TypeConversionException.class);
  }
}
