package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A scripted world for one peer under test: a tracker that answers every message with a chosen
 * directory line, and a file source that answers every request with chosen bytes (or nothing).
 */
final class FakeTrackerAndSource {
  /**
   * The directory line the tracker sends, without {@code \n}; {@code %SOURCE%} stands for the
   * source's port.
   */
  final AtomicReference<String> directory = new AtomicReference<>("{}");

  /** What the source answers to any request; null: accept and never answer. */
  final AtomicReference<String> response = new AtomicReference<>();

  /** Whether the source closes the connection after its answer; false: it answers and stalls. */
  final AtomicBoolean endAfterResponse = new AtomicBoolean(true);

  /** Every line the tracker has read, in order. */
  final List<String> messages = new CopyOnWriteArrayList<>();

  /** Requests the source has read. */
  final AtomicInteger requests = new AtomicInteger();

  int trackerPort;
  int sourcePort;

  Future<Void> start(Vertx vertx) {
    NetServer source =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            name -> {
                              requests.incrementAndGet();
                              String answer = response.get();
                              if (answer != null && endAfterResponse.get()) {
                                socket.end(Buffer.buffer(answer));
                              } else if (answer != null) {
                                socket.write(Buffer.buffer(answer));
                              }
                            }));
    NetServer tracker =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            line -> {
                              messages.add(line.toString());
                              socket.write(
                                  directory.get().replace("%SOURCE%", String.valueOf(sourcePort))
                                      + "\n");
                            }));
    return source
        .listen(0, "127.0.0.1")
        .compose(
            s -> {
              sourcePort = s.actualPort();
              return tracker.listen(0, "127.0.0.1");
            })
        .map(
            t -> {
              trackerPort = t.actualPort();
              return null;
            });
  }

  /** A directory entry naming the source. */
  static String entry(String name, long mtime) {
    return "\""
        + name
        + "\": {\"ip\": \"127.0.0.1\", \"port\": %SOURCE%, \"mtime\": "
        + mtime
        + "}";
  }
}
