package p2psync.peer.ranges;

import java.util.ArrayDeque;
import java.util.Deque;

/** The bytes {@code [start, end)} of a file. */
record Range(long start, long end) {
  Range {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad range [" + start + ", " + end + ")");
    }
  }

  long length() {
    return end - start;
  }

  /**
   * {@code [0, size)} cut into ranges of {@code pieceBytes} (the last one shorter), in file order:
   * handed out one at a time, so a fast holder takes more of them than a slow one.
   */
  static Deque<Range> split(long size, long pieceBytes) {
    Deque<Range> ranges = new ArrayDeque<>();
    for (long start = 0; start < size; start += pieceBytes) {
      ranges.add(new Range(start, Math.min(size, start + pieceBytes)));
    }
    return ranges;
  }

  @Override
  public String toString() {
    return "[" + start + ", " + end + ")";
  }
}
