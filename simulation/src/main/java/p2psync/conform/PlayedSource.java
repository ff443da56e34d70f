package p2psync.conform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import p2psync.common.DirectoryEntry;

/**
 * Another peer, played over raw sockets: serves the names a case offers, each in its own way
 * (honest, in one segment, dripped, short, stalled, too long), and keeps every request line it got.
 * A name it does not offer gets {@code Content-Length: 0}, as a course peer answers. Blocking, one
 * daemon thread per connection.
 */
final class PlayedSource implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PlayedSource.class.getName());
  private static final int MAX_REQUEST_BYTES = 4096;

  /** How one name is served: writes the answer to {@code out}, may read {@code in}. */
  @FunctionalInterface
  interface Serve {
    void serve(InputStream in, OutputStream out) throws IOException;
  }

  /** A request line as it came, and when. */
  record Request(String name, byte[] raw, long nanos) {}

  private final String label;
  private final Transcript transcript;
  private final ServerSocket server;
  private final Map<String, Serve> offers = new ConcurrentHashMap<>();
  private final List<Request> requests = new ArrayList<>();

  PlayedSource(String label, String host, Transcript transcript) throws IOException {
    this.label = label;
    this.transcript = transcript;
    this.server = new ServerSocket(0, 50, InetAddress.getByName(host));
    Thread accept = new Thread(this::acceptLoop, "conform-source-" + label);
    accept.setDaemon(true);
    accept.start();
  }

  /** Serves {@code name} as {@code serve} says from now on. */
  PlayedSource offer(String name, Serve serve) {
    offers.put(name, serve);
    return this;
  }

  /** The entry a directory names this source by for a file of {@code mtime}. */
  DirectoryEntry entry(long mtime) {
    return new DirectoryEntry(server.getInetAddress().getHostAddress(), port(), mtime);
  }

  int port() {
    return server.getLocalPort();
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  long requestsFor(String name) {
    return requests().stream().filter(r -> r.name().equals(name)).count();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread thread = new Thread(() -> serve(socket), "conform-source-" + label + "-conn");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.log(Level.FINE, "accept failed", e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(30_000);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n' && raw.size() < MAX_REQUEST_BYTES) {
        raw.write(b);
      }
      String name = raw.toString(StandardCharsets.UTF_8);
      // short, so a stalled answer notices the peer closing without waiting a whole read timeout
      socket.setSoTimeout(250);
      synchronized (requests) {
        requests.add(new Request(name, raw.toByteArray(), System.nanoTime()));
      }
      transcript.received(label, "request " + quote(name) + (b == '\n' ? "" : " (no newline)"));
      Serve serve = offers.getOrDefault(name, oneSegment(new byte[0]));
      serve.serve(in, socket.getOutputStream());
    } catch (IOException e) {
      LOG.log(Level.FINE, label + ": a request ended badly", e);
    }
  }

  static String quote(String name) {
    return "\"" + name.replace("\n", "\\n") + "\"";
  }

  static byte[] header(long length) {
    return ("Content-Length: " + length + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Header and body in one write: with Nagle off, one segment for a small body. */
  static Serve oneSegment(byte[] body) {
    return (in, out) -> {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.write(header(body.length));
      all.write(body);
      out.write(all.toByteArray());
      out.flush();
    };
  }

  /**
   * The header alone, a pause ({@code gap}), then the body: the form every case but the one-segment
   * case uses, so a peer that mishandles bytes arriving with the header fails that one case only.
   */
  static Serve whole(byte[] body, Duration gap) {
    return (in, out) -> {
      out.write(header(body.length));
      out.flush();
      LockSupport.parkNanos(gap.toNanos());
      out.write(body);
      out.flush();
    };
  }

  /** Header and body one byte a time, each flushed and followed by {@code delay}. */
  static Serve drip(byte[] body, Duration delay) {
    return (in, out) -> {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.write(header(body.length));
      all.write(body);
      for (byte b : all.toByteArray()) {
        out.write(b);
        out.flush();
        LockSupport.parkNanos(delay.toNanos());
      }
    };
  }

  /** A large body made on the fly from {@code content}, never held whole. */
  static Serve generated(Content content, Duration gap) {
    return (in, out) -> {
      out.write(header(content.size()));
      out.flush();
      LockSupport.parkNanos(gap.toNanos());
      content.writeTo(out);
      out.flush();
    };
  }

  /** Promises the whole body, sends {@code sent} bytes of it and closes. */
  static Serve closeEarly(byte[] body, int sent, Duration gap) {
    return (in, out) -> {
      out.write(header(body.length));
      out.flush();
      LockSupport.parkNanos(gap.toNanos());
      out.write(body, 0, sent);
      out.flush();
    };
  }

  /**
   * Promises the whole body, sends {@code sent} bytes and then nothing, keeping the connection open
   * until the peer gives up (closes) or {@code max} passes; {@code gaveUp} learns how long the peer
   * waited, or -1.
   */
  static Serve stall(byte[] body, int sent, Duration max, LongConsumer gaveUp) {
    AtomicBoolean stalledOnce = new AtomicBoolean();
    return (in, out) -> {
      if (stalledOnce.getAndSet(true)) {
        // a retry gets a close without a header: stalling again would keep a partial file in the
        // folder while the case looks for one
        return;
      }
      out.write(header(body.length));
      out.write(body, 0, sent);
      out.flush();
      long start = System.nanoTime();
      long deadline = start + max.toNanos();
      // the socket belongs to this thread: reading is how a closed connection shows
      while (System.nanoTime() < deadline) {
        try {
          if (in.read() < 0) {
            gaveUp.accept((System.nanoTime() - start) / 1_000_000);
            return;
          }
        } catch (SocketTimeoutException e) {
          // not closed yet: keep waiting until the deadline
        } catch (IOException e) {
          gaveUp.accept((System.nanoTime() - start) / 1_000_000);
          return;
        }
      }
      gaveUp.accept(-1);
    };
  }

  /** Sends the body and then {@code extra} bytes the header did not announce. */
  static Serve tooLong(byte[] body, byte[] extra, Duration gap) {
    return (in, out) -> {
      out.write(header(body.length));
      out.flush();
      LockSupport.parkNanos(gap.toNanos());
      out.write(body);
      out.write(extra);
      out.flush();
    };
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // the port is released either way
    }
  }
}
