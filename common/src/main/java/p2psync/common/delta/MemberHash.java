package p2psync.common.delta;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import p2psync.common.v2.Sha256;

/**
 * The running hash of a versioned directory (docs/protocol-v2.md): the sum modulo 2^64 of, for
 * every member, the first 8 bytes of the SHA-256 of its bytes as sent. A sum, so that a delta
 * updates it with the members it changes only; SHA-256, so that a Python peer has it at hand.
 */
public final class MemberHash {

  private MemberHash() {}

  /** The number of one member, {@code "name": {...}} as sent. */
  public static long of(byte[] bytes, int from, int length) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(bytes, from, length);
    byte[] sum = digest.digest();
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | (sum[i] & 0xff);
    }
    return value;
  }

  public static long of(byte[] member) {
    return of(member, 0, member.length);
  }

  /** The 8 bytes, big-endian, as 11 characters of unpadded base64url (the mark's hash). */
  public static String text(long hash) {
    return Base64Url.encode(ByteBuffer.allocate(8).putLong(hash).array());
  }

  /** The value of {@link #text}, or throws {@link IllegalArgumentException}. */
  public static long parse(String text) {
    byte[] bytes = Base64Url.decode(text, 8);
    if (bytes == null) {
      throw new IllegalArgumentException("a directory hash is 11 characters of base64url");
    }
    return ByteBuffer.wrap(bytes).getLong();
  }
}
