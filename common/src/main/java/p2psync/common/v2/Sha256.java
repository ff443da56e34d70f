package p2psync.common.v2;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 values as the v2 wire writes them: 64 lower-case hex digits. */
public final class Sha256 {
  private static final HexFormat HEX = HexFormat.of();

  private Sha256() {}

  /** Whether {@code text} is 64 lower-case hex digits. */
  public static boolean isHex(String text) {
    if (text == null || text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  public static String hex(byte[] digest) {
    return HEX.formatHex(digest);
  }

  /** The four 64-bit words of a hash, for tables that keep no object per hash. */
  public static void toWords(String hex, long[] out, int at) {
    for (int i = 0; i < 4; i++) {
      out[at + i] = HexFormat.fromHexDigitsToLong(hex, 16 * i, 16 * i + 16);
    }
  }

  public static String fromWords(long[] words, int at) {
    StringBuilder out = new StringBuilder(64);
    for (int i = 0; i < 4; i++) {
      out.append(HEX.toHexDigits(words[at + i]));
    }
    return out.toString();
  }

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
