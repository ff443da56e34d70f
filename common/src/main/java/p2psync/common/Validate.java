package p2psync.common;

import java.time.Duration;

/** The checks behind the options classes' setters; each message names the key that was wrong. */
public final class Validate {
  private Validate() {}

  public static Duration positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
    return value;
  }

  public static int inRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " must be in " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  public static String notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
    return value;
  }
}
