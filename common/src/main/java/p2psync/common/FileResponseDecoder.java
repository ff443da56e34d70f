package p2psync.common;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Splits a file-port response into its {@code Content-Length} header and exactly that many body
 * bytes, however TCP cuts the stream: header and body in one segment, the header in pieces, the
 * body split anywhere. Counts bytes itself, in a {@code long}, and never holds more than one
 * incoming chunk (which is why it is not a {@code RecordParser} in fixed-size mode, which would
 * buffer the whole body and takes an {@code int}).
 */
public final class FileResponseDecoder {

  /** What the decoder found, in order: one header, body chunks, then completion. */
  public interface Listener {
    void onHeader(long length);

    /**
     * Body bytes: {@code data[from, to)}, where {@code data} is the buffer given to {@link #feed},
     * so that a listener may keep a view of the caller's memory instead of a copy.
     */
    void onBody(Buffer data, int from, int to);

    void onComplete();
  }

  /** Where the decoder is in the response. */
  public enum State {
    AWAITING_HEADER,
    RECEIVING_BODY,
    COMPLETE
  }

  private final Listener listener;
  private final Buffer header = Buffer.buffer(64);
  private State state = State.AWAITING_HEADER;
  private long remaining;
  private long extraBytes;

  public FileResponseDecoder(Listener listener) {
    this.listener = listener;
  }

  public State state() {
    return state;
  }

  /** Body bytes still expected. */
  public long remaining() {
    return remaining;
  }

  /** Bytes the server sent after the body; they are ignored, as the seed's requester does. */
  public long extraBytes() {
    return extraBytes;
  }

  /** Feeds the next bytes from the socket; bytes after the response are counted and ignored. */
  public void feed(Buffer data) throws ProtocolException {
    int end = feed(data, 0);
    extraBytes += data.length() - end;
  }

  /**
   * Feeds {@code data[from, length)} and returns the index just past the bytes that belong to this
   * response: {@code data.length()}, or less once the response is complete (on a pipelined
   * connection, what follows is the next response's).
   */
  public int feed(Buffer data, int from) throws ProtocolException {
    int offset = from;
    if (state == State.AWAITING_HEADER) {
      offset = readHeader(data, from);
      if (offset < 0) {
        return data.length();
      }
    }
    if (state == State.RECEIVING_BODY && offset < data.length()) {
      int take = (int) Math.min(remaining, data.length() - offset);
      remaining -= take;
      listener.onBody(data, offset, offset + take);
      offset += take;
      completeIfDone();
    }
    return offset;
  }

  /**
   * The stream ended. Fails unless the whole body arrived: a short body must never be taken for a
   * file.
   */
  public void end() throws ProtocolException {
    switch (state) {
      case AWAITING_HEADER ->
          throw new ProtocolException(
              header.length() == 0
                  ? "connection closed before any response"
                  : "connection closed inside the header");
      case RECEIVING_BODY ->
          throw new ProtocolException(
              "connection closed with " + remaining + " body bytes missing");
      case COMPLETE -> {}
    }
  }

  /** Returns the offset just past the header in {@code data}, or -1 when it is not complete yet. */
  private int readHeader(Buffer data, int from) throws ProtocolException {
    for (int i = from; i < data.length(); i++) {
      byte b = data.getByte(i);
      if (b == '\n') {
        long length = ContentLength.parse(header.toString(StandardCharsets.UTF_8));
        remaining = length;
        state = State.RECEIVING_BODY;
        listener.onHeader(length);
        completeIfDone();
        return i + 1;
      }
      if (header.length() >= ContentLength.MAX_HEADER_BYTES) {
        throw new ProtocolException(
            "response header longer than " + ContentLength.MAX_HEADER_BYTES + " bytes");
      }
      header.appendByte(b);
    }
    return -1;
  }

  private void completeIfDone() {
    if (state == State.RECEIVING_BODY && remaining == 0) {
      state = State.COMPLETE;
      listener.onComplete();
    }
  }
}
