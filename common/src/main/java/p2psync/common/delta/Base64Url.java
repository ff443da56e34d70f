package p2psync.common.delta;

import java.util.Base64;

/**
 * Unpadded base64url (RFC 4648 section 5), read strictly: the text of a versioned line is hashed as
 * sent, so a value has exactly one text (no padding, no stray bits in the last character).
 */
final class Base64Url {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Base64Url() {}

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /** The {@code length} bytes {@code text} is the one text of, or null. */
  static byte[] decode(String text, int length) {
    if (text == null || text.length() != (4 * length + 2) / 3) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // Re-encoding refuses the other texts of one value (stray bits in the last character).
    return bytes.length == length && encode(bytes).equals(text) ? bytes : null;
  }
}
