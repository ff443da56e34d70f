package p2psync.conform;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One peer played over a raw socket: what a seed peer sends, byte for byte, and the tracker's lines
 * exactly as they came. Everything sent and received goes into the case's {@link Transcript}, which
 * becomes the report's evidence. Blocking, on the kit's own thread.
 */
final class WirePeer implements AutoCloseable {
  /** A directory line longer than this is not one: it stops the read instead of our memory. */
  private static final int MAX_LINE_BYTES = 64 << 20;

  /** What a read found: a line (without its {@code \n}), silence until the deadline, or the end. */
  enum Kind {
    LINE,
    TIMEOUT,
    CLOSED
  }

  record Read(Kind kind, byte[] bytes, String error) {
    String text() {
      return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    boolean isLine() {
      return kind == Kind.LINE;
    }

    @Override
    public String toString() {
      return switch (kind) {
        case LINE -> Transcript.clip(text());
        case TIMEOUT -> "(nothing)";
        case CLOSED -> "(connection closed" + (error == null ? "" : ": " + error) + ")";
      };
    }
  }

  private final String label;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Transcript transcript;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  private WirePeer(String label, Socket socket, Transcript transcript) throws IOException {
    this.label = label;
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.transcript = transcript;
  }

  static WirePeer connect(String label, String host, int port, Transcript transcript)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setTcpNoDelay(true);
      return new WirePeer(label, socket, transcript);
    } catch (IOException e) {
      socket.close();
      throw new IOException(label + " could not connect to " + host + ":" + port, e);
    }
  }

  /** The address the tracker sees this peer at, as a directory names it. */
  String localAddress() {
    return socket.getLocalAddress().getHostAddress();
  }

  void send(String text) throws IOException {
    transcript.sent(label, text);
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Sends and reads the one line that answers it. */
  Read ask(String text, Duration timeout) throws IOException {
    send(text);
    return read(timeout);
  }

  /**
   * Reads the next line, waiting at most {@code timeout}; a partial line stays for the next read.
   */
  Read read(Duration timeout) {
    Read read = readLine(timeout);
    transcript.received(label, read);
    return read;
  }

  private Read readLine(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return new Read(Kind.TIMEOUT, null, null);
        }
        socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        int b;
        try {
          b = in.read();
        } catch (SocketTimeoutException e) {
          return new Read(Kind.TIMEOUT, null, null);
        }
        if (b < 0) {
          return new Read(Kind.CLOSED, null, null);
        }
        if (b == '\n') {
          byte[] line = pending.toByteArray();
          pending.reset();
          return new Read(Kind.LINE, line, null);
        }
        if (pending.size() >= MAX_LINE_BYTES) {
          return new Read(Kind.CLOSED, null, "line longer than " + MAX_LINE_BYTES + " bytes");
        }
        pending.write(b);
      }
    } catch (IOException e) {
      // a reset is how some trackers close: the same outcome as an orderly end, with its reason
      return new Read(Kind.CLOSED, null, e.toString());
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do: the socket is gone either way
    }
  }
}
