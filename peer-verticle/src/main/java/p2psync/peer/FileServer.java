package p2psync.peer;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import p2psync.common.ContentLength;
import p2psync.common.FileNames;
import p2psync.common.LocalPorts;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Codec;
import p2psync.peer.v2.FolderHashes;

/**
 * Serves the folder on the file port: one {@code name\n} per connection, answered with {@code
 * Content-Length: N\n} and the bytes straight from disk ({@code sendFile}, zero-copy), then the
 * connection is closed. A name that is unknown, unsafe or filtered gets no bytes at all. A v2
 * request with {@code "more": true} keeps the connection open for the next request, answered in
 * turn (pipelining). The first refusal ends it: no further request is answered, the answers already
 * written go out whole, then the end of the stream (a FIN, see {@link #shutdownOutput}); what the
 * requester still sends is read and dropped until it closes its side (or {@code requestTimeout}
 * passes), and its upload slot is free from the refusal on.
 */
final class FileServer {
  private static final Logger LOG = System.getLogger(FileServer.class.getName());

  private final Vertx vertx;
  private final LocalFolder folder;
  private final SyncConfig config;

  /** A v2 peer's hashes, to answer v2 requests; null for a seed peer, which refuses them. */
  private final FolderHashes hashes;

  /**
   * Most bytes of pipelined requests a requester may send ahead of their answers
   * (docs/protocol-v2.md); the Downloader keeps its pipelines under it.
   */
  static final int PIPELINED_REQUEST_BYTES = 64 * 1024;

  /**
   * Files up to this size are answered from one read on a worker (look, bytes, look again) and one
   * write, not streamed with {@code sendFile}; larger ones stream, never held in memory whole.
   */
  static final int SMALL_FILE_BYTES = 64 * 1024;

  private NetServer server;
  private final Set<NetSocket> uploads = new HashSet<>();

  /** Refused connections between their FIN and their close ({@link #endUnanswered}). */
  private final Set<NetSocket> ending = new HashSet<>();

  /**
   * Connections over {@code maxConcurrentUploads}, oldest first, with their wait timers: served as
   * uploads end (at most {@code maxQueuedUploads}, each for at most {@code requestTimeout}).
   */
  private final LinkedHashMap<NetSocket, Long> waiting = new LinkedHashMap<>();

  private final PeerMetrics metrics;

  FileServer(
      Vertx vertx,
      LocalFolder folder,
      SyncConfig config,
      PeerMetrics metrics,
      FolderHashes hashes) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.folder = folder;
    this.config = config;
    this.hashes = hashes;
  }

  /** Listens on {@code port}, or on the first free port from the configured first one when -1. */
  Future<Integer> listen(String host, int port) {
    if (port != PeerOptions.FIRST_FREE_PORT) {
      return bind(host, port);
    }
    return bindFirstFree(host, config.getFirstPeerPort());
  }

  private Future<Integer> bindFirstFree(String host, int candidate) {
    if (candidate > 65_535) {
      return Future.failedFuture("no free port from " + config.getFirstPeerPort() + " up");
    }
    if (LocalPorts.isHeld(candidate)) {
      return bindFirstFree(host, candidate + 1);
    }
    return bind(host, candidate).recover(e -> bindFirstFree(host, candidate + 1));
  }

  private Future<Integer> bind(String host, int port) {
    NetServer candidate =
        vertx
            .createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
            .connectHandler(this::accept);
    return candidate
        .listen()
        .compose(
            s -> {
              if (!LocalPorts.hold(s.actualPort())) {
                // Another of our servers holds it: Vert.x shared the socket instead of failing.
                return s.close()
                    .transform(ar -> Future.failedFuture("port " + s.actualPort() + " is taken"));
              }
              server = s;
              return Future.succeededFuture(s.actualPort());
            });
  }

  /** Stops listening; closing the server also cuts the uploads in progress. */
  Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    int port = server.actualPort();
    return server.close().andThen(ar -> LocalPorts.release(port));
  }

  private void accept(NetSocket socket) {
    if (uploads.size() < config.getMaxConcurrentUploads()) {
      serve(socket);
      return;
    }
    if (waiting.size() >= config.getMaxQueuedUploads()) {
      LOG.log(
          Level.WARNING,
          "refusing "
              + socket.remoteAddress()
              + ": "
              + uploads.size()
              + " uploads running and "
              + waiting.size()
              + " waiting already");
      metrics.uploadRefused("limit");
      endUnanswered(socket);
      return;
    }
    // Waits, unread, for a running upload to end: a refusal (the seed wire has no "busy") costs the
    // requester until its next directory, seconds, where the wait is usually milliseconds; the
    // last peer to join a swarm is asked for its files by every other peer at once.
    socket.pause();
    long timer =
        vertx.setTimer(
            config.getRequestTimeout().toMillis(),
            t -> {
              if (waiting.remove(socket) != null) {
                LOG.log(Level.WARNING, "refusing " + socket.remoteAddress() + ": waited too long");
                metrics.uploadRefused("waited");
                endUnanswered(socket);
              }
            });
    waiting.put(socket, timer);
    socket.closeHandler(
        v -> {
          Long armed = waiting.remove(socket);
          if (armed != null) {
            vertx.cancelTimer(armed);
          }
        });
  }

  private void serve(NetSocket socket) {
    uploads.add(socket);
    Upload upload = new Upload(socket);
    socket.closeHandler(
        v -> {
          upload.closed();
          release(socket);
        });
    upload.start();
    socket.resume(); // a socket that waited was paused; its request line is read now
  }

  /**
   * The socket's upload slot goes to the longest-waiting connection: once, at its refusal or at its
   * close, whichever comes first.
   */
  private void release(NetSocket socket) {
    if (uploads.remove(socket)) {
      serveWaiting();
    }
  }

  /** The longest-waiting connections get the slots that freed up. */
  private void serveWaiting() {
    while (uploads.size() < config.getMaxConcurrentUploads() && !waiting.isEmpty()) {
      Iterator<Map.Entry<NetSocket, Long>> oldest = waiting.entrySet().iterator();
      Map.Entry<NetSocket, Long> next = oldest.next();
      NetSocket socket = next.getKey();
      vertx.cancelTimer(next.getValue());
      oldest.remove();
      serve(socket);
    }
  }

  /** One request (or, pipelined v2, one after the other): reads it, answers it, and so on. */
  private final class Upload {
    private final NetSocket socket;
    private final RecordParser request;
    private long requestTimer;
    private boolean answered;
    private boolean refused;
    private boolean closed;

    Upload(NetSocket socket) {
      this.socket = socket;
      // The parser's limit is on what it holds unparsed, which, while an answer goes out, is every
      // pipelined request read so far: the protocol's bound on those, and each line is checked
      // against maxRequestBytes on its own.
      this.request =
          RecordParser.newDelimited("\n", socket)
              .maxRecordSize(Math.max(config.getMaxRequestBytes(), PIPELINED_REQUEST_BYTES));
    }

    void start() {
      armRequestTimer();
      request.handler(this::handleRequest);
      request.exceptionHandler(e -> refuse("bad request line", e));
      request.endHandler(
          v -> {
            if (!answered) {
              refuse("connection ended before a request line");
            }
          });
      socket.exceptionHandler(e -> refuse("connection error", e));
    }

    private void armRequestTimer() {
      requestTimer =
          vertx.setTimer(
              config.getRequestTimeout().toMillis(), t -> refuse("no request line in time"));
    }

    /** This answer went out whole: close, or (pipelined) read the next request. */
    private void answered(boolean more) {
      if (refused) {
        return; // refused while it went out (a socket error, say): nothing more is read
      }
      if (!more) {
        socket.end();
        return;
      }
      answered = false;
      armRequestTimer();
      request.resume();
    }

    private void handleRequest(Buffer line) {
      if (answered) {
        return;
      }
      answered = true;
      vertx.cancelTimer(requestTimer);
      if (line.length() > config.getMaxRequestBytes()) {
        refuse("request line longer than " + config.getMaxRequestBytes() + " bytes");
        return;
      }
      // One request at a time: a seed connection ends with its answer (anything after the first
      // line is ignored); a pipelined v2 one resumes reading once this answer is out.
      request.pause();
      if (hashes != null && V2Codec.isRequest(line)) {
        handleV2Request(line);
        return;
      }
      String name;
      try {
        name = SeedCodec.decodeUtf8(line);
      } catch (ProtocolException e) {
        refuse("bad request line", e);
        return;
      }
      if (name.endsWith("\r")) {
        name = name.substring(0, name.length() - 1);
      }
      String reason = FileNames.rejectionReason(name);
      if (reason != null) {
        refuse("requested name " + printable(name) + " " + reason);
        return;
      }
      String requested = name;
      vertx
          .executeBlocking(() -> folder.readSmall(requested, SMALL_FILE_BYTES), false)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  refuse("cannot read " + printable(requested), ar.cause());
                } else if (ar.result() == null) {
                  refuse("no such file: " + printable(requested));
                } else if (ar.result().changed()) {
                  refuse(new ChangedWhileServed(requested).getMessage());
                } else {
                  serve(requested, ar.result(), 0, ar.result().version().size(), false);
                }
              });
    }

    /**
     * A v2 request: served only when the file is, right now, the version asked for (its cached hash
     * is the one requested), from the offset asked for, which must lie within the file.
     */
    private void handleV2Request(Buffer line) {
      V2Codec.Request request;
      try {
        request = V2Codec.decodeRequest(line);
      } catch (ProtocolException e) {
        refuse("bad v2 request", e);
        return;
      }
      String name = request.name();
      vertx
          .executeBlocking(
              () -> {
                // one hop to a worker for a small file's whole answer: its look, bytes and hash
                LocalFolder.Read read = folder.readSmall(name, SMALL_FILE_BYTES);
                if (read == null || read.changed()) {
                  return read;
                }
                String sha =
                    hashes.currentBlocking(
                        name,
                        read.version().size(),
                        read.version().modified().to(TimeUnit.NANOSECONDS));
                return request.sha256().equals(sha) ? read : null;
              },
              false)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  refuse("cannot read " + printable(name), ar.cause());
                } else if (ar.result() != null && ar.result().changed()) {
                  refuse(new ChangedWhileServed(name).getMessage());
                } else if (ar.result() == null) {
                  refuse(
                      "no such version of "
                          + printable(name)
                          + " here (not hashed yet, or changed)");
                } else if (request.offset() < 0
                    || request.offset() > ar.result().version().size()) {
                  refuse("offset " + request.offset() + " outside " + printable(name));
                } else if (request.ranged()
                    && request.length() > ar.result().version().size() - request.offset()) {
                  // compared as a difference: offset + length may overflow a long
                  refuse(
                      "range of "
                          + request.length()
                          + " bytes from "
                          + request.offset()
                          + " past the end of "
                          + printable(name));
                } else {
                  long length =
                      request.ranged()
                          ? request.length()
                          : ar.result().version().size() - request.offset();
                  serve(name, ar.result(), request.offset(), length, request.more());
                }
              });
    }

    /**
     * Sends the {@code length} bytes from {@code offset} on (the file's tail, or a range). A small
     * file was read whole as one version ({@link LocalFolder#readSmall}): header and bytes go out
     * in one write. A larger one streams: all but the last byte, then a check that the file is
     * still the version announced and the last byte read from the file so checked ({@link
     * LocalFolder#byteOfVersion}). A file changed while being served is cut short instead, so the
     * requester sees a short body and retries rather than storing a torn mix of two versions.
     */
    private void serve(String name, LocalFolder.Read read, long offset, long length, boolean more) {
      if (read.bytes() != null) {
        // a small file, read whole as one version: header and bytes in one write
        Buffer header = ContentLength.header(length);
        Buffer answer = Buffer.buffer(header.length() + (int) length).appendBuffer(header);
        answer.appendBytes(read.bytes(), (int) offset, (int) length);
        socket
            .write(answer)
            .onSuccess(
                v -> {
                  metrics.uploadServed(length);
                  answered(more);
                })
            .onFailure(e -> refuse("sending " + printable(name) + " failed", e));
        return;
      }
      LocalFolder.Version version = read.version();
      String path = folder.resolve(name).toString();
      socket.write(ContentLength.header(length));
      LOG.log(
          Level.DEBUG,
          () ->
              "sending "
                  + name
                  + " ("
                  + length
                  + " bytes from "
                  + offset
                  + ") to "
                  + socket.remoteAddress());
      if (length == 0) {
        metrics.uploadServed(0);
        answered(more);
        return;
      }
      socket
          .sendFile(path, offset, length - 1)
          .compose(
              v ->
                  vertx.executeBlocking(
                      () -> folder.byteOfVersion(name, version, offset + length - 1), false))
          .compose(
              last ->
                  last >= 0
                      ? socket.write(Buffer.buffer(new byte[] {(byte) (int) last}))
                      : Future.failedFuture(new ChangedWhileServed(name)))
          .onSuccess(
              v -> {
                metrics.uploadServed(length); // what went out: a resumed request sends less
                answered(more);
              })
          .onFailure(
              e -> {
                if (e instanceof ChangedWhileServed) {
                  refuse(e.getMessage());
                } else {
                  refuse("sending " + printable(name) + " failed", e);
                }
              });
    }

    private void refuse(String reason) {
      refuse(reason, null);
    }

    /**
     * Answers nothing more: the answers written before go out whole, then the end of the stream;
     * {@code cause}, when there is one, is kept in the log record. Once per connection: a failure
     * after the refusal (of the socket, of a write) ends the same connection.
     */
    private void refuse(String reason, Throwable cause) {
      if (refused) {
        return;
      }
      refused = true;
      answered = true;
      metrics.uploadRefused("request");
      vertx.cancelTimer(requestTimer);
      LOG.log(
          Level.WARNING,
          "refusing file request from "
              + socket.remoteAddress()
              + ": "
              + reason
              + (cause == null ? "" : ": " + Failures.reason(cause)),
          cause);
      if (!closed) {
        endUnanswered(socket);
      }
      // The parser, paused for the request refused here, would pause the socket again when it
      // gets control back (it pauses its stream while it holds lines nobody asked for); given
      // demand, it hands what it holds to handleRequest, which ignores it now.
      request.resume();
      release(socket);
    }

    /** The connection is closed, by either side: a refusal has nothing left to end. */
    void closed() {
      closed = true;
    }
  }

  /**
   * Ends a connection that gets no more answers: what was written goes out whole, then the end of
   * the stream ({@link #shutdownOutput}). What the requester sent or still sends (a request line,
   * pipelined requests) is read and dropped, not left unread: the kernel resets a connection closed
   * with bytes unread, or that receives more after its close, and the requester may then lose
   * answers it had not read yet, or see an error where the seed wire promises an empty answer.
   * Reading on, the server sees the requester's end, and Netty (no half-closure) closes the
   * connection then; a requester that never closes its side is closed after {@code requestTimeout}.
   * The socket's close handler is replaced: its slot, if it had one, was released.
   */
  private void endUnanswered(NetSocket socket) {
    // Bounded like the connections the server takes at all, so requesters that never close cannot
    // pile up sockets; past it a refused connection is closed at once, as it was before.
    if (ending.size() >= config.getMaxConcurrentUploads() + config.getMaxQueuedUploads()) {
      socket.close();
      return;
    }
    ending.add(socket);
    socket.endHandler(null);
    socket.handler(ignored -> {});
    // Refused already and logged: a reset or error now ends it without another warning.
    socket.exceptionHandler(
        e -> LOG.log(Level.DEBUG, "refused connection " + socket.remoteAddress() + " ended", e));
    socket.resume(); // a waiting socket was paused
    long linger = vertx.setTimer(config.getRequestTimeout().toMillis(), t -> socket.close());
    socket.closeHandler(
        v -> {
          ending.remove(socket);
          vertx.cancelTimer(linger);
        });
    shutdownOutput(socket).onFailure(e -> socket.close()); // broken already: nothing to deliver
  }

  /**
   * Ends the socket's output with a FIN once everything written to it so far is out, keeping it
   * open for reading. A close instead, with requests unread or still arriving, makes the kernel
   * reset the connection: it drops what it had yet to send, and the requester may take the reset in
   * place of answers it had not read yet (an innocent earlier file then counts as failed). Vert.x 5
   * has no public half-close, so this goes to the Netty channel; a channel that cannot half-close
   * (none of ours) is closed as before.
   */
  static Future<Void> shutdownOutput(NetSocket socket) {
    // An empty write completes once what was queued before it is flushed; a shutdown before that
    // would fail those writes.
    return socket
        .write(Buffer.buffer())
        .compose(
            v -> {
              Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
              if (!(channel instanceof DuplexChannel duplex)) {
                return socket.close();
              }
              // Vert.x's own promise listens to a Netty future (and completes on this context).
              PromiseInternal<Void> shut = ((ContextInternal) Vertx.currentContext()).promise();
              duplex.shutdownOutput().addListener(shut);
              return shut.future();
            });
  }

  /**
   * Not an error of the file system: the version announced is gone, so the transfer is cut short.
   */
  private static final class ChangedWhileServed extends Exception {
    ChangedWhileServed(String name) {
      super(name + " changed while being served, cutting the transfer short", null, false, false);
    }
  }

  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    name.codePoints()
        .limit(100)
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return "\"" + out + "\"";
  }
}
