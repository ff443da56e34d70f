package p2psync.launcher;

import java.time.Duration;
import p2psync.common.SyncConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations on the command line as the config does ({@code 5s}, {@code 250ms}, {@code PT1M}).
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return SyncConfig.parseDuration("duration", value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 500ms, 2m)");
    }
  }
}
