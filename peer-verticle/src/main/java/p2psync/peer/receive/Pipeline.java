package p2psync.peer.receive;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One connection to one holder carrying the requests of one or more downloads, answered in order: a
 * seed download alone (the server closes after its answer), or pipelined v2 requests ({@code
 * "more": true} on all but the last, docs/protocol-v2.md), sent in one write once every download's
 * temp file is open. Each answer is fed to its download; the bytes after one answer belong to the
 * next. A download that fails before its answer is complete cuts the connection: the ones after it
 * end with {@link NotAnswered}, which blames nobody.
 *
 * <p>All on the owner's event loop.
 */
public final class Pipeline {
  private static final Logger LOG = System.getLogger(Pipeline.class.getName());

  /** What a pipeline needs from each download it carries. */
  public interface Response {
    /** The request line; {@code more}: another request follows it on this connection. */
    Buffer requestLine(boolean more);

    /** Its answer is next on the connection (it arms its idle timer). */
    void begin();

    /**
     * Bytes from {@code data[from]} on; returns the index just past those of its answer (the rest
     * is the next answer's). Calls {@link Pipeline#answered} when its answer is complete.
     */
    int receive(ByteBuf data, int from);

    /** The connection ended while its answer was next or under way. */
    void ended();

    /** The connection failed (or never came) before or while its answer came. */
    void failed(Throwable cause);
  }

  /** Ends a download whose request was sent, or was to be, on a connection that was cut first. */
  public static final class NotAnswered extends IOException {
    public NotAnswered(String why) {
      super(why);
    }
  }

  private final NetClient client;
  private final String ip;
  private final int port;
  private final Handler<Void> onClosed;

  /** Every download on this connection, in the order of their requests. */
  private final List<Response> all = new ArrayList<>();

  private final Set<Response> ready = new HashSet<>();
  private final Set<Response> dropped = new HashSet<>();

  /** Requests written, in order; {@code head} is the one whose answer is due. */
  private final List<Response> sent = new ArrayList<>();

  private int nextToSend;
  private int head;
  private int begun = -1;
  private NetSocket socket;
  private RawInbound inbound;
  private Response pausedBy;
  private boolean closed;

  /**
   * @param onClosed called once when the connection is done with (or never opened)
   */
  public Pipeline(NetClient client, String ip, int port, Handler<Void> onClosed) {
    this.client = client;
    this.ip = ip;
    this.port = port;
    this.onClosed = onClosed;
  }

  public String address() {
    return ip + ":" + port;
  }

  /**
   * Adds a download, whose request goes after those added before; the first one opens the
   * connection, while the downloads open their temp files.
   */
  public void register(Response response) {
    all.add(response);
    if (all.size() == 1) {
      client
          .connect(port, ip)
          .onComplete(
              connected -> {
                if (connected.failed()) {
                  connectFailed(connected.cause());
                } else if (closed) {
                  connected.result().close(); // every download ended meanwhile
                } else {
                  connected(connected.result());
                }
              });
    }
  }

  /**
   * A download's temp file is open: its request goes as soon as the connection is up and every
   * request before it went (answers come in request order, so its file must be open first).
   */
  public void ready(Response response) {
    ready.add(response);
    sendReady();
  }

  /**
   * A download failed before its answer was complete: before its request went, it is left out;
   * after, the connection is cut and the downloads after it are not answered.
   */
  public void abandon(Response response) {
    if (closed) {
      return;
    }
    int index = sent.indexOf(response);
    if (index < 0) {
      dropped.add(response);
      sendReady();
    } else if (index >= head) {
      close(null, response);
    }
  }

  /** Its answer is complete: the next one is due, or the connection is done. */
  public void answered(Response response) {
    if (closed || head >= sent.size() || sent.get(head) != response) {
      return;
    }
    if (pausedBy == response) {
      pausedBy = null;
      inbound.resume();
    }
    head++;
    if (done()) {
      close(null, null);
    } else {
      beginHead();
    }
  }

  /** A body this long or longer is read in large reads ({@link RawInbound#readLarge}). */
  public static final long LARGE_BODY_BYTES = 4L << 20;

  /**
   * The answer under way announced {@code length} body bytes: a large one switches this connection
   * to large reads.
   */
  public void bodyAnnounced(long length) {
    if (!closed && inbound != null && length >= LARGE_BODY_BYTES) {
      inbound.readLarge(); // stays on for the connection; asking again changes nothing
    }
  }

  /** Stops reading the connection until {@code response} resumes it. */
  public void pause(Response response) {
    if (!closed && inbound != null) {
      pausedBy = response;
      inbound.pause();
    }
  }

  public void resume(Response response) {
    if (!closed && inbound != null && pausedBy == response) {
      pausedBy = null;
      inbound.resume();
    }
  }

  private void connected(NetSocket connected) {
    socket = connected;
    inbound =
        RawInbound.of(socket)
            .handler(this::receive)
            .endHandler(v -> ended())
            .exceptionHandler(e -> close(e, null));
    sendReady();
  }

  private void connectFailed(Throwable cause) {
    if (closed) {
      return;
    }
    // The holder is unreachable for all of them alike, not only the first.
    closed = true;
    for (Response response : all) {
      if (!dropped.contains(response)) {
        response.failed(cause);
      }
    }
    onClosed.handle(null);
  }

  /** Writes, in one buffer, the requests now due: those in order whose temp files are open. */
  private void sendReady() {
    if (closed) {
      return;
    }
    if (socket == null) {
      if (all.stream().allMatch(dropped::contains)) {
        close(null, null); // nothing will be asked: the connection, once up, is closed at once
      }
      return;
    }
    Buffer requests = null;
    while (nextToSend < all.size()) {
      Response next = all.get(nextToSend);
      if (dropped.contains(next)) {
        nextToSend++;
        continue;
      }
      if (!ready.contains(next)) {
        break;
      }
      Buffer line = next.requestLine(liveAfter(nextToSend));
      requests = requests == null ? line : requests.appendBuffer(line);
      sent.add(next);
      nextToSend++;
    }
    if (requests != null) {
      socket.write(requests);
      int count = sent.size();
      LOG.log(Level.DEBUG, () -> count + " request(s) sent to " + address() + " so far");
    }
    if (done()) {
      close(null, null);
    } else {
      beginHead();
    }
  }

  /** Whether a download after {@code index} may still send a request ("more" follows). */
  private boolean liveAfter(int index) {
    for (int i = index + 1; i < all.size(); i++) {
      if (!dropped.contains(all.get(i))) {
        return true;
      }
    }
    return false;
  }

  /** Every request sent was answered and none is left to send. */
  private boolean done() {
    return head == sent.size() && !liveAfter(nextToSend - 1);
  }

  private void beginHead() {
    if (head < sent.size() && begun != head) {
      begun = head;
      sent.get(head).begin();
    }
  }

  private void receive(ByteBuf data) {
    int from = 0;
    while (!closed && head < sent.size() && from < data.readableBytes()) {
      int before = from;
      int headBefore = head;
      from = sent.get(head).receive(data, from);
      if (from == before && head == headBefore) {
        break; // took nothing and did not end its answer: never spin on it
      }
    }
  }

  private void ended() {
    if (closed) {
      return;
    }
    Response current = head < sent.size() ? sent.get(head) : null;
    closeSocket();
    if (current != null) {
      current.ended();
    }
    notAnswered(current, null, "the connection ended before its answer");
    onClosed.handle(null);
  }

  /**
   * Closes the connection: {@code cause} (a connection error) fails the download due next; {@code
   * failed} is a download that failed itself. Those after it are not answered.
   */
  private void close(Throwable cause, Response failed) {
    if (closed) {
      return;
    }
    Response current = head < sent.size() ? sent.get(head) : null;
    closeSocket();
    Response blamed = null;
    if (cause != null && current != null) {
      current.failed(cause);
      blamed = current;
    }
    notAnswered(blamed, failed, "the connection to " + address() + " was cut before its answer");
    onClosed.handle(null);
  }

  /** Ends every download still waiting for its answer, but {@code skip} and {@code failed}. */
  private void notAnswered(Response skip, Response failed, String why) {
    for (int i = head; i < sent.size(); i++) {
      Response waiting = sent.get(i);
      if (waiting != skip && waiting != failed) {
        waiting.failed(new NotAnswered("not answered: " + why));
      }
    }
    for (int i = nextToSend; i < all.size(); i++) {
      Response unsent = all.get(i);
      if (!dropped.contains(unsent) && unsent != failed) {
        unsent.failed(new NotAnswered("not answered: " + why));
      }
    }
  }

  private void closeSocket() {
    closed = true;
    if (socket != null) {
      socket.close();
    }
  }
}
