package p2psync.conform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A file's bytes made from a seed, of any length (a long): written in chunks and hashed the same
 * way, so a 64 MiB or 2 GiB case never holds its file in memory.
 */
record Content(long size, long seed) {
  private static final int CHUNK = 64 * 1024;

  void writeTo(OutputStream out) throws IOException {
    forEachChunk(out::write);
  }

  /** The SHA-256 of these bytes, in hex. */
  String sha256() {
    MessageDigest digest = newDigest();
    try {
      forEachChunk(digest::update);
    } catch (IOException e) {
      throw new IllegalStateException("a digest does no I/O", e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private interface ChunkSink {
    void accept(byte[] chunk, int offset, int length) throws IOException;
  }

  /** The bytes in order, one reused chunk at a time. */
  private void forEachChunk(ChunkSink sink) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[CHUNK];
    for (long left = size; left > 0; ) {
      int n = (int) Math.min(CHUNK, left);
      fill(random, chunk, n);
      sink.accept(chunk, 0, n);
      left -= n;
    }
  }

  /** The SHA-256 of a file, read in chunks. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] chunk = new byte[CHUNK];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(chunk)) > 0; ) {
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void fill(SplittableRandom random, byte[] chunk, int n) {
    for (int i = 0; i < n; i += 8) {
      long v = random.nextLong();
      for (int j = 0; j < 8 && i + j < n; j++) {
        chunk[i + j] = (byte) (v >>> (8 * j));
      }
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
