package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * A peer lied to by the source it downloads from: whatever the lie, no file appears under the real
 * name, no temp file stays, and once the source answers properly the next directory fetches it.
 */
@ExtendWith(VertxExtension.class)
class DownloadFailureTest {
  private static final long MTIME = 1_700_000_000L;

  @TempDir Path folder;
  Vertx vertx;
  /** What the fake source answers to a request; null: accept and say nothing. */
  final AtomicReference<String> response = new AtomicReference<>();
  int sourcePort;
  PeerVerticle peer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    NetServer source = vertx.createNetServer().connectHandler(socket ->
        RecordParser.newDelimited("\n", socket).handler(name -> {
          String answer = response.get();
          if (answer != null) {
            socket.write(Buffer.buffer(answer)).onComplete(ar -> socket.close());
          }
        }));
    sourcePort = get(source.listen(0, "127.0.0.1")).actualPort();
    // A fake tracker that names the fake source for "wanted.bin" in every directory.
    NetServer tracker = vertx.createNetServer().connectHandler(socket ->
        RecordParser.newDelimited("\n", socket).handler(line -> socket.write(
            "{\"wanted.bin\": {\"ip\": \"127.0.0.1\", \"port\": " + sourcePort + ", \"mtime\": " + MTIME + "}}\n")));
    int trackerPort = get(tracker.listen(0, "127.0.0.1")).actualPort();
    peer = new PeerVerticle(new PeerOptions()
        .setDir(folder)
        .setHost("127.0.0.1")
        .setPort(0)
        .setTrackerPort(trackerPort)
        .setSync(new SyncConfig()
            .setKeepAliveInterval(Duration.ofMillis(100))
            .setTransferIdleTimeout(Duration.ofMillis(500))));
  }

  private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Content-Length: 10\nshort",         // body shorter than announced
      "Content-Length: -1\n",              // negative
      "Content-Length: ten\n0123456789",   // not a number
      "Content-Length: 99999999999999999999\n", // does not fit a long
      "Content-Type: text/plain\n",        // no Content-Length at all
      "Content-Length: 10",                // header never finished
      "",                                  // closed without a word
      "STALL"                              // accepts and never answers
  })
  void aLyingSourceLeavesNothingBehindAndTheNextDirectoryRetries(String lie) throws Exception {
    response.set(lie.equals("STALL") ? null : lie);
    get(vertx.deployVerticle(peer));

    await().atMost(Duration.ofSeconds(10)).until(() -> peer.downloadsFailed() >= 2);
    assertThat(folder.resolve("wanted.bin")).doesNotExist();
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);

    response.set("Content-Length: 5\nhello");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(folder.resolve("wanted.bin")));
    assertThat(folder.resolve("wanted.bin")).hasContent("hello");
    assertThat(Files.getLastModifiedTime(folder.resolve("wanted.bin")).to(TimeUnit.SECONDS)).isEqualTo(MTIME);
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);
  }

  private long tempFiles() throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".p2psync-")).count();
    }
  }
}
