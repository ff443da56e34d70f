package p2psync.common;

import io.vertx.core.buffer.Buffer;

/** The file port's response header, {@code Content-Length: N\n}. */
public final class ContentLength {
  /** Longest header line we accept; a real one is at most 36 bytes. */
  public static final int MAX_HEADER_BYTES = 256;

  private static final String NAME = "Content-Length:";

  private ContentLength() {}

  public static Buffer header(long length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    return Buffer.buffer(NAME + " " + length + "\n");
  }

  /**
   * Reads the header line (without {@code \n}; a trailing {@code \r} is tolerated). Lenient about
   * case and spaces, strict about the number: digits only, and it must fit a {@code long}.
   */
  public static long parse(String line) throws ProtocolException {
    String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    if (!text.regionMatches(true, 0, NAME, 0, NAME.length())) {
      throw new ProtocolException("expected a Content-Length header, got: " + abbreviate(text));
    }
    String value = text.substring(NAME.length()).strip();
    if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(ContentLength::isDigit)) {
      throw new ProtocolException("bad Content-Length value: " + abbreviate(value));
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ProtocolException("Content-Length too large: " + value);
    }
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
