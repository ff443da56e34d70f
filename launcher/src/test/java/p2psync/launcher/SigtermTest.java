package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code p2psync peer} as a process, sent SIGTERM while a download hangs mid-body. */
class SigtermTest {
  @TempDir Path dir;

  @Test
  void aPeerSentSigtermMidDownloadExitsWithoutLeavingItsTempFile() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("folder"));
    Vertx vertx = Vertx.vertx();
    Process peer = null;
    try {
      // A source that sends 3 of 1000 bytes and stalls, and a tracker that names it.
      AtomicInteger requests = new AtomicInteger();
      NetServer source =
          vertx
              .createNetServer()
              .connectHandler(
                  socket ->
                      RecordParser.newDelimited("\n", socket)
                          .handler(
                              name -> {
                                requests.incrementAndGet();
                                socket.write("Content-Length: 1000\nabc");
                              }));
      int sourcePort = get(source.listen(0, "127.0.0.1")).actualPort();
      String directory =
          "{\"big.bin\": {\"ip\": \"127.0.0.1\", \"port\": "
              + sourcePort
              + ", \"mtime\": 1700000000}}\n";
      NetServer tracker =
          vertx
              .createNetServer()
              .connectHandler(
                  socket ->
                      RecordParser.newDelimited("\n", socket)
                          .handler(line -> socket.write(directory)));
      int trackerPort = get(tracker.listen(0, "127.0.0.1")).actualPort();

      peer =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "peer",
                  "127.0.0.1",
                  String.valueOf(trackerPort),
                  "--dir",
                  folder.toString(),
                  "--port",
                  "0")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("peer.log").toFile())
              .start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> requests.get() > 0 && tempFiles(folder) == 1);

      peer.destroy(); // SIGTERM

      assertThat(peer.waitFor(30, TimeUnit.SECONDS))
          .as(Files.readString(dir.resolve("peer.log")))
          .isTrue();
      assertThat(tempFiles(folder)).as(Files.readString(dir.resolve("peer.log"))).isZero();
    } finally {
      if (peer != null) {
        peer.destroyForcibly();
      }
      get(vertx.close());
    }
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long tempFiles(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(p -> p2psync.common.FileNames.isTempName(p.getFileName().toString()))
          .count();
    }
  }
}
