package p2psync.peer.ranges;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetClient;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import p2psync.common.FileResponseDecoder;
import p2psync.common.ProtocolException;
import p2psync.common.v2.V2Codec;
import p2psync.common.v2.V2Entry;
import p2psync.peer.receive.FileSink;
import p2psync.peer.receive.IdleTimeout;
import p2psync.peer.receive.Pipeline;

/**
 * One range of a ranged download from one holder, on a connection of its own: a v2 request with
 * {@code "offset"} and {@code "length"}, the answer streamed into the shared temp file at the
 * range's position (a {@link FileSink} of its own, on the writer threads). Ends once, with an
 * {@link Outcome}: how far the range's bytes are known written (so that the rest can be asked of
 * another holder), and why it stopped short. All on the event loop of the download.
 */
final class RangeFetch implements Pipeline.Response, FileResponseDecoder.Listener {
  private static final Logger LOG = System.getLogger(RangeFetch.class.getName());

  /** Why a fetch stopped short. */
  enum Failure {
    /** The holder: unreachable, cut off, silent too long, or a bad answer. */
    HOLDER,
    /** The holder announced another length than the range's: it does not hold that version. */
    LIED,
    /** This peer: the temp file could not be written. */
    LOCAL,
    /** The download stopped it (another range failed, the peer stops). */
    ABORTED
  }

  /**
   * How a fetch ended: the range's bytes {@code [range.start, writtenTo)} are in the file; {@code
   * failure} null: the whole range.
   */
  record Outcome(RangeFetch fetch, long writtenTo, Failure failure, Throwable cause) {}

  /** Bytes queued for the writer above which the socket is not read, as for a single download. */
  private static final long WRITE_QUEUE_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final Executor writers;
  private final NetClient client;
  private final V2Entry.Source holder;
  private final String name;
  private final String sha256;
  private final Range range;
  private final Path tempPath;
  private final FileResponseDecoder decoder = new FileResponseDecoder(this);
  private final Promise<Outcome> outcome = Promise.promise();

  private Pipeline link;
  private FileSink sink;
  private ByteBuf reading;
  private boolean receiving;
  private boolean ended;
  private long received;
  private final IdleTimeout idle;

  RangeFetch(
      Vertx vertx,
      Executor writers,
      NetClient client,
      V2Entry.Source holder,
      String name,
      String sha256,
      Range range,
      Path tempPath,
      long idleTimeoutMillis) {
    this.vertx = vertx;
    this.writers = writers;
    this.client = client;
    this.holder = holder;
    this.name = name;
    this.sha256 = sha256;
    this.range = range;
    this.tempPath = tempPath;
    this.idle =
        new IdleTimeout(
            vertx,
            idleTimeoutMillis,
            () ->
                end(
                    Failure.HOLDER,
                    new IOException(
                        "no data from "
                            + holder.address()
                            + " for "
                            + idleTimeoutMillis
                            + " ms ("
                            + received
                            + " of "
                            + range.length()
                            + " bytes of the range "
                            + range
                            + ")")));
  }

  V2Entry.Source holder() {
    return holder;
  }

  Range range() {
    return range;
  }

  /** Body bytes received so far (some may still be queued for the writer). */
  long received() {
    return received;
  }

  /** Opens its sink, then its connection; the future completes once, when it has ended. */
  Future<Outcome> start() {
    FileSink.openRange(
            vertx.getOrCreateContext(), writers, tempPath, range.start(), WRITE_QUEUE_BYTES)
        .onComplete(
            opened -> {
              if (opened.failed()) {
                outcome.tryComplete(
                    new Outcome(this, range.start(), Failure.LOCAL, opened.cause()));
                return;
              }
              sink =
                  opened
                      .result()
                      .resumeHandler(
                          () -> {
                            if (!ended) {
                              link.resume(this);
                            }
                          })
                      .failureHandler(e -> end(Failure.LOCAL, e));
              if (ended) { // aborted while the file was being opened: nothing written
                sink.close(false)
                    .onComplete(
                        ar ->
                            outcome.tryComplete(
                                new Outcome(
                                    this,
                                    range.start(),
                                    Failure.ABORTED,
                                    new IOException("stopped"))));
                return;
              }
              link = new Pipeline(client, holder.ip(), holder.port(), v -> {});
              link.register(this);
              link.ready(this);
            });
    return outcome.future();
  }

  /** Stops the fetch; its outcome still tells how far its bytes were written. */
  void abort() {
    end(Failure.ABORTED, new IOException("stopped"));
  }

  @Override
  public Buffer requestLine(boolean more) {
    LOG.log(Level.DEBUG, () -> "requesting " + range + " of " + name + " from " + holder.address());
    return V2Codec.encodeRequest(
        new V2Codec.Request(name, sha256, range.start(), range.length(), false));
  }

  @Override
  public void begin() {
    if (ended) {
      return;
    }
    receiving = true;
    idle.start();
  }

  @Override
  public int receive(ByteBuf data, int from) {
    if (!receiving || ended) {
      return data.readableBytes();
    }
    idle.touch();
    reading = data.slice();
    try {
      return decoder.feed(BufferInternal.buffer(reading), from);
    } catch (ProtocolException e) {
      end(Failure.HOLDER, new IOException("bad response from " + holder.address(), e));
      return data.readableBytes();
    } finally {
      reading = null;
    }
  }

  @Override
  public void onHeader(long length) {
    if (length != range.length()) {
      end(
          Failure.LIED,
          new IOException(
              holder.address()
                  + " announced "
                  + length
                  + " bytes for the range "
                  + range
                  + " of "
                  + name
                  + " ("
                  + range.length()
                  + " bytes)"));
      return;
    }
    link.bodyAnnounced(length);
  }

  @Override
  public void onBody(Buffer data, int from, int to) {
    if (ended) {
      return;
    }
    received += to - from;
    if (sink.write(reading.retainedSlice(from, to - from))) {
      link.pause(this);
    }
  }

  @Override
  public void onComplete() {
    if (ended) {
      return;
    }
    ended = true;
    idle.cancel();
    link.answered(this);
    sink.close(true)
        .onComplete(
            closed -> {
              if (closed.failed()) {
                outcome.tryComplete(
                    new Outcome(this, range.start(), Failure.LOCAL, closed.cause()));
              } else if (closed.result() != range.end()) {
                outcome.tryComplete(
                    new Outcome(
                        this,
                        range.start(),
                        Failure.LOCAL,
                        new IOException(
                            "wrote up to byte " + closed.result() + " of the range " + range)));
              } else {
                outcome.tryComplete(new Outcome(this, range.end(), null, null));
              }
            });
  }

  @Override
  public void ended() {
    if (!receiving || ended) {
      return;
    }
    try {
      decoder.end();
    } catch (ProtocolException e) {
      end(Failure.HOLDER, new IOException(holder.address() + " cut the range " + range, e));
    }
  }

  @Override
  public void failed(Throwable cause) {
    end(
        Failure.HOLDER,
        new IOException(
            (receiving ? "connection error from " : "cannot connect to ") + holder.address(),
            cause));
  }

  /**
   * Ends short of the range: cuts the connection, closes the sink after writing what it queued, and
   * tells how far the range's bytes are in the file. A failed write keeps nothing.
   */
  private void end(Failure failure, Throwable cause) {
    if (ended) {
      return;
    }
    ended = true;
    idle.cancel();
    if (link != null) {
      link.abandon(this);
    }
    if (sink == null) {
      return; // still opening: start() closes it and completes the outcome
    }
    sink.close(true)
        .onComplete(
            closed ->
                outcome.tryComplete(
                    new Outcome(
                        this,
                        closed.succeeded() && failure != Failure.LOCAL
                            ? closed.result()
                            : range.start(),
                        failure,
                        cause)));
  }
}
