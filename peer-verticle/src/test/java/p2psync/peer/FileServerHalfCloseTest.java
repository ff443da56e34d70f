package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.SyncConfig;

/**
 * A requester that half-closes (shuts its sending side once its request is out, as a seed program
 * may) still gets its answer; its end is taken as the end of the connection everywhere else, at
 * once, never after the request timeout (set far beyond the sockets' read timeout here).
 */
@ExtendWith(VertxExtension.class)
class FileServerHalfCloseTest {
  @TempDir Path folder;
  PeerVerticle peer;
  int port;
  byte[] big;

  void startPeer(Vertx vertx, int protocol, SyncConfig config) throws Exception {
    big =
        new byte[4 * 1024 * 1024]; // more than one write: the answer is still going out at the FIN
    new Random(11).nextBytes(big);
    Files.write(folder.resolve("big.bin"), big);
    Files.writeString(folder.resolve("small.txt"), "small");
    peer =
        TestPeers.start(
            vertx, folder, 1, protocol, config.setRequestTimeout(Duration.ofMinutes(1)));
    port = peer.actualPort();
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(10_000);
    return socket;
  }

  private int openRefused() throws Exception {
    return peer.refusedConnectionsOpen()
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  /** Sends {@code bytes}, then the end of its side (a FIN), keeping the socket open for reading. */
  private static void sendAndHalfClose(Socket socket, String bytes) throws IOException {
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.UTF_8));
    socket.shutdownOutput();
  }

  @ParameterizedTest(name = "{0} from a protocol {1} peer")
  @CsvSource({"small.txt, 1", "big.bin, 1", "small.txt, 2", "big.bin, 2"})
  void aSeedRequesterThatHalfClosesGetsTheWholeFile(String name, int protocol, Vertx vertx)
      throws Exception {
    startPeer(vertx, protocol, new SyncConfig());
    byte[] content = Files.readAllBytes(folder.resolve(name));
    try (Socket socket = connect()) {
      sendAndHalfClose(socket, name + "\n");
      assertThat(socket.getInputStream().readAllBytes())
          .isEqualTo(V2PipelineTest.answerOf(content));
    }
  }

  @Test
  void aRequesterThatEndsBeforeItsRequestLineIsEndedAtOnce(Vertx vertx) throws Exception {
    startPeer(vertx, 1, new SyncConfig());
    try (Socket socket = connect()) {
      sendAndHalfClose(socket, "small.t"); // no newline, ever
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // within the read timeout
    }
  }

  @Test
  void aRequesterThatEndsWithoutAWordGivesItsSlotBackAtOnce(Vertx vertx) throws Exception {
    startPeer(vertx, 1, new SyncConfig().setMaxConcurrentUploads(1).setMaxQueuedUploads(4));
    try (Socket silent = connect();
        Socket next = connect()) {
      silent.shutdownOutput(); // connects, says nothing, ends (a port check, say)
      next.getOutputStream().write("small.txt\n".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("Content-Length: 5\nsmall");
    }
  }

  @Test
  void aRefusedRequesterThatEndsItsSideIsClosedAtOnce(Vertx vertx) throws Exception {
    startPeer(vertx, 1, new SyncConfig());
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("gone.txt\n".getBytes(StandardCharsets.UTF_8));
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // refused: no bytes, the end
      await().atMost(Duration.ofSeconds(5)).until(() -> openRefused() == 1);
      socket.shutdownOutput();
      await().atMost(Duration.ofSeconds(5)).until(() -> openRefused() == 0);
    }
  }
}
