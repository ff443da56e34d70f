package p2psync.simulation.toxiproxy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Toxiproxy-Request-Id} of each API response, in the form Toxiproxy's ids have (its
 * logging middleware uses rs/xid): 12 bytes (seconds since the epoch, 5 bytes naming this machine
 * and process, a counter) written as 20 base32hex letters, e.g. {@code dc446b5qmd2vdre5gg7g}. Used
 * on the server's one event loop only, so the counter needs no lock.
 */
final class RequestIds {
  private static final int LETTERS = 20;

  private final byte[] origin = new byte[5];
  private int counter = ThreadLocalRandom.current().nextInt();

  RequestIds() {
    ThreadLocalRandom.current().nextBytes(origin);
  }

  String next() {
    ByteBuffer id = ByteBuffer.allocate(12);
    id.putInt((int) (System.currentTimeMillis() / 1000)).put(origin);
    int count = counter++;
    id.put((byte) (count >> 16)).put((byte) (count >> 8)).put((byte) count);
    // 96 bits padded to 100 make 20 letters; BigInteger's radix-32 digits are base32hex's, 0-9a-v.
    String letters = new BigInteger(1, id.array()).shiftLeft(4).toString(32);
    return "0".repeat(LETTERS - letters.length()) + letters;
  }
}
