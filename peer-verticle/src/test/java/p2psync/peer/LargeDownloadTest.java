package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.SyncConfig;

/**
 * A source that writes a whole large body at once and closes: the downloader pauses the socket
 * while its file writes catch up, and Vert.x 5.0.x may signal the end before the data it still
 * holds (eclipse-vertx/vert.x#5748). Every file must arrive whole at the first attempt.
 */
@ExtendWith(VertxExtension.class)
class LargeDownloadTest {
  private static final long MTIME = 1_700_000_000L;
  private static final int SIZE = 24 << 20;
  private static final int FILES = 4;

  @TempDir Path folder;

  @Test
  void bodiesSentAtOnceThenClosedArriveWhole(Vertx vertx) throws Exception {
    byte[] content = new byte[SIZE];
    new Random(1).nextBytes(content);
    Buffer answer =
        Buffer.buffer(SIZE + 32)
            .appendString("Content-Length: " + SIZE + "\n")
            .appendBytes(content);
    NetServer source =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(name -> socket.write(answer).onComplete(ar -> socket.close())));
    int sourcePort = get(source.listen(0, "127.0.0.1")).actualPort();
    StringBuilder directory = new StringBuilder("{");
    for (int i = 0; i < FILES; i++) {
      directory
          .append(i == 0 ? "" : ", ")
          .append("\"big-")
          .append(i)
          .append(".bin\": {\"ip\": \"127.0.0.1\", \"port\": ")
          .append(sourcePort)
          .append(", \"mtime\": ")
          .append(MTIME)
          .append('}');
    }
    String line = directory.append("}\n").toString();
    NetServer tracker =
        vertx
            .createNetServer()
            .connectHandler(
                socket -> RecordParser.newDelimited("\n", socket).handler(l -> socket.write(line)));
    int trackerPort = get(tracker.listen(0, "127.0.0.1")).actualPort();
    PeerVerticle peer =
        new PeerVerticle(
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerPort(trackerPort)
                .setSync(new SyncConfig().setKeepAliveInterval(Duration.ofMillis(200))));
    get(vertx.deployVerticle(peer));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> peer.transfers().completed() + peer.transfers().failed() >= FILES);
    assertThat(peer.transfers().failed()).as("failed downloads").isZero();
    for (int i = 0; i < FILES; i++) {
      assertThat(Files.readAllBytes(folder.resolve("big-" + i + ".bin"))).isEqualTo(content);
    }
  }

  private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
