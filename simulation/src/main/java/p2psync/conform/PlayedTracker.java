package p2psync.conform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import p2psync.common.DirectoryEntry;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;

/**
 * The tracker a peer under test talks to, played over raw sockets: every line the peer sends is
 * kept with the time it came, and answered with the directory the case's responder gives. Blocking,
 * one daemon thread per connection; the kit's cases read what it saw from their own thread.
 */
final class PlayedTracker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PlayedTracker.class.getName());

  /** A peer message longer than this is not one: the connection is closed instead. */
  private static final int MAX_LINE_BYTES = 64 << 20;

  /**
   * One line from the peer: which connection (0 first), when, its text and JSON ({@code json} null
   * and {@code error} set when it was not a JSON object), and the address it came from.
   */
  record Message(
      int connection,
      int index,
      long nanos,
      String ip,
      String text,
      ObjectNode json,
      String error) {
    boolean hasPort() {
      return json != null && json.path("port").isIntegralNumber();
    }

    boolean isInit() {
      return hasPort() && json.path("files").isArray();
    }

    int port() {
      return json.path("port").asInt();
    }
  }

  private final String host;
  private final Transcript transcript;
  private final Function<Message, Map<String, DirectoryEntry>> responder;
  private final ServerSocket server;
  private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  private final List<Socket> open = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger replies = new AtomicInteger();
  private final AtomicInteger messages = new AtomicInteger();

  /**
   * Listens on a port the OS picks. {@code responder} returns the entries to answer a message with,
   * or null for no answer.
   */
  PlayedTracker(
      String host, Transcript transcript, Function<Message, Map<String, DirectoryEntry>> responder)
      throws IOException {
    this.host = host;
    this.transcript = transcript;
    this.responder = responder;
    this.server = new ServerSocket(0, 50, InetAddress.getByName(host));
    Thread accept = new Thread(this::acceptLoop, "conform-tracker-" + port());
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  String host() {
    return host;
  }

  /** Connections the peer has opened so far. */
  int connections() {
    return connections.get();
  }

  /** Directory lines written so far. */
  int replies() {
    return replies.get();
  }

  /** The next message, or null when none came within {@code timeout}. */
  Message next(Duration timeout) throws InterruptedException {
    return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Closes the peer's connections, as a tracker that goes away; new ones are still accepted. */
  void dropConnections() {
    synchronized (open) {
      open.forEach(PlayedTracker::closeQuietly);
      open.clear();
    }
    transcript.sent("tracker", "(closed the connection)");
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        int connection = connections.getAndIncrement();
        synchronized (open) {
          open.add(socket);
        }
        Thread reader = new Thread(() -> serve(socket, connection), "conform-tracker-conn");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.log(Level.FINE, "accept failed", e);
        }
      }
    }
  }

  private void serve(Socket socket, int connection) {
    String ip = socket.getInetAddress().getHostAddress();
    try (socket;
        InputStream in = new BufferedInputStream(socket.getInputStream())) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          if (line.size() >= MAX_LINE_BYTES) {
            transcript.received("peer", "a line longer than " + MAX_LINE_BYTES + " bytes");
            return;
          }
          line.write(b);
          continue;
        }
        Message message = parse(connection, ip, line.toByteArray());
        line.reset();
        transcript.received("peer", message.text());
        Map<String, DirectoryEntry> entries = responder.apply(message);
        if (entries != null) {
          String reply = SeedCodec.encodeDirectory(entries);
          transcript.sent("tracker", reply);
          socket.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
          socket.getOutputStream().flush();
          replies.incrementAndGet();
        }
        // queued after the reply went out, so a case that sees the message knows it was answered
        inbox.add(message);
      }
      transcript.received("peer", "(closed its tracker connection)");
    } catch (IOException e) {
      LOG.log(Level.FINE, "tracker connection " + connection + " ended", e);
    }
  }

  private Message parse(int connection, String ip, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    long now = System.nanoTime();
    int index = messages.getAndIncrement();
    try {
      ObjectNode json = SeedCodec.parseObject(text);
      return new Message(connection, index, now, ip, text, json, null);
    } catch (ProtocolException e) {
      return new Message(connection, index, now, ip, text, null, e.getMessage());
    }
  }

  /** The files an Init lists, as the entries a tracker would name the peer for. */
  static Map<String, DirectoryEntry> advertised(Message init) {
    Map<String, DirectoryEntry> entries = new LinkedHashMap<>();
    for (JsonNode file : init.json().path("files")) {
      if (file.path("name").isTextual() && file.path("mtime").canConvertToLong()) {
        entries.put(
            file.path("name").asText(),
            new DirectoryEntry(init.ip(), init.port(), file.path("mtime").asLong()));
      }
    }
    return entries;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all we wanted
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // the port is released either way
    }
    synchronized (open) {
      open.forEach(PlayedTracker::closeQuietly);
      open.clear();
    }
  }
}
