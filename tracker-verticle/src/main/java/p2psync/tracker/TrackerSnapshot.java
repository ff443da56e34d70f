package p2psync.tracker;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The tracker's directory at one moment, immutable: what threads other than the tracker's event
 * loop (tests, benchmarks, a status page) may read.
 *
 * @param peerCount peers in the directory
 * @param nameCount names in the directory
 * @param version increases with every change of the line
 * @param line the directory line as sent to peers, {@code \n} included; never written to
 * @param encodes how many times the line was built so far
 */
public record TrackerSnapshot(
    int peerCount, int nameCount, long version, Buffer line, long encodes) {
  static final TrackerSnapshot EMPTY = new TrackerSnapshot(0, 0, 0, Buffer.buffer("{}\n"), 0);

  /** The line without its {@code \n}. */
  public String directoryLine() {
    return line.getString(0, line.length() - 1, StandardCharsets.US_ASCII.name());
  }
}
