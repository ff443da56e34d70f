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
import java.util.List;

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
  private int unsettled;
  private final List<Response> ready = new ArrayList<>();
  private int head;
  private NetSocket socket;
  private RawInbound inbound;
  private Response pausedBy;
  private boolean connecting;
  private boolean closed;

  /**
   * @param downloads how many will call {@link #ready} or {@link #abandon} before it connects
   * @param onClosed called once when the connection is done with (or never opened)
   */
  public Pipeline(NetClient client, String ip, int port, int downloads, Handler<Void> onClosed) {
    this.client = client;
    this.ip = ip;
    this.port = port;
    this.unsettled = downloads;
    this.onClosed = onClosed;
  }

  public String address() {
    return ip + ":" + port;
  }

  /** A download's temp file is open: its request may go. */
  public void ready(Response response) {
    ready.add(response);
    settled();
  }

  /**
   * A download failed before its answer was complete: before the requests went, it is left out;
   * after, the connection is cut and the downloads after it are not answered.
   */
  public void abandon(Response response) {
    if (closed) {
      return;
    }
    int index = ready.indexOf(response);
    if (!connecting && socket == null) {
      if (index >= 0) {
        ready.remove(index); // counted when it was ready
        if (ready.isEmpty() && unsettled == 0) {
          close(null, null);
        }
      } else {
        settled();
      }
      return;
    }
    if (index >= head) {
      close(null, response);
    }
  }

  /** Its answer is complete: the next one is due, or the connection is done. */
  public void answered(Response response) {
    if (closed || head >= ready.size() || ready.get(head) != response) {
      return;
    }
    if (pausedBy == response) {
      pausedBy = null;
      inbound.resume();
    }
    head++;
    if (head == ready.size()) {
      close(null, null);
    } else {
      ready.get(head).begin();
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

  private void settled() {
    if (--unsettled > 0 || closed) {
      return;
    }
    if (ready.isEmpty()) {
      close(null, null);
      return;
    }
    connecting = true;
    client
        .connect(port, ip)
        .onComplete(
            connected -> {
              connecting = false;
              if (connected.failed()) {
                // The holder is unreachable for all of them alike, not only the first.
                closed = true;
                ready.forEach(r -> r.failed(connected.cause()));
                onClosed.handle(null);
              } else if (closed) {
                connected.result().close(); // every download stopped meanwhile
              } else {
                send(connected.result());
              }
            });
  }

  private void send(NetSocket connected) {
    socket = connected;
    inbound =
        RawInbound.of(socket)
            .handler(this::receive)
            .endHandler(v -> ended())
            .exceptionHandler(e -> close(e, null));
    Buffer requests = Buffer.buffer();
    for (int i = 0; i < ready.size(); i++) {
      requests.appendBuffer(ready.get(i).requestLine(i < ready.size() - 1));
    }
    socket.write(requests);
    LOG.log(
        Level.DEBUG,
        () -> ready.size() + " request(s) sent to " + address() + " on one connection");
    ready.get(0).begin();
  }

  private void receive(ByteBuf data) {
    int from = 0;
    while (!closed && head < ready.size() && from < data.readableBytes()) {
      int before = from;
      int headBefore = head;
      from = ready.get(head).receive(data, from);
      if (from == before && head == headBefore) {
        break; // took nothing and did not end its answer: never spin on it
      }
    }
  }

  private void ended() {
    if (closed) {
      return;
    }
    Response current = head < ready.size() ? ready.get(head) : null;
    closeSocket();
    if (current != null) {
      current.ended();
    }
    notAnswered(head + 1, "the connection ended before its answer");
    onClosed.handle(null);
  }

  /**
   * Closes the connection: {@code cause} (a connect or connection error) fails the download due
   * next; {@code failed} is a download that failed itself. Those after it are not answered.
   */
  private void close(Throwable cause, Response failed) {
    if (closed) {
      return;
    }
    Response current = head < ready.size() ? ready.get(head) : null;
    closeSocket();
    int firstUnanswered = head;
    if (cause != null && current != null) {
      current.failed(cause);
      firstUnanswered = head + 1;
    }
    for (int i = firstUnanswered; i < ready.size(); i++) {
      Response next = ready.get(i);
      if (next != failed) {
        next.failed(
            new NotAnswered(
                "not answered: the connection to " + address() + " was cut before its answer"));
      }
    }
    onClosed.handle(null);
  }

  private void notAnswered(int from, String why) {
    for (int i = from; i < ready.size(); i++) {
      ready.get(i).failed(new NotAnswered("not answered: " + why));
    }
  }

  private void closeSocket() {
    closed = true;
    if (socket != null) {
      socket.close();
    }
  }
}
