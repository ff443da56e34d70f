package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * The file port under hostile requests: never a byte of any file, and the next good request is
 * served.
 */
@ExtendWith(VertxExtension.class)
class FileServerTest {
  @TempDir Path root;
  Path folder;
  int port;

  @BeforeEach
  void startPeer(Vertx vertx) throws Exception {
    folder = Files.createDirectories(root.resolve("shared"));
    Files.writeString(folder.resolve("good.txt"), "good content");
    Files.writeString(folder.resolve("temp.py"), "secret python");
    Files.writeString(root.resolve("outside.txt"), "outside the folder");
    PeerVerticle peer =
        new PeerVerticle(
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerPort(
                    1) // nobody there: the peer keeps serving and retries in the background
                .setSync(new SyncConfig().setRequestTimeout(Duration.ofSeconds(1))));
    vertx.deployVerticle(peer).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = peer.actualPort();
  }

  private byte[] request(byte[] line) throws Exception {
    return exchange(port, line);
  }

  /** Sends {@code line} to a file port and returns everything read until the server closes. */
  static byte[] exchange(int port, byte[] line) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(line);
      out.flush();
      InputStream in = socket.getInputStream();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../outside.txt",
        "/etc/passwd",
        "..\\outside.txt",
        "temp.py",
        "good.txt\0",
        "sub/good.txt",
        "..",
        ".",
        "",
        ".p2psync-0123.part",
        "missing.txt",
        "\u00ff\u00fe"
      })
  void hostileOrUnknownNamesGetNoBytes(String name) throws Exception {
    assertThat(request((name + "\n").getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(request("good.txt\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("Content-Length: 12\ngood content".getBytes(StandardCharsets.UTF_8));
  }

  @org.junit.jupiter.api.Test
  void invalidUtf8AndOverlongRequestsAreRefused() throws Exception {
    assertThat(request(new byte[] {(byte) 0xc3, (byte) 0x28, '\n'})).isEmpty();
    assertThat(request(("x".repeat(10_000) + "\n").getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(request("good.txt\r\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("Content-Length: 12\ngood content".getBytes(StandardCharsets.UTF_8));
  }

  @org.junit.jupiter.api.Test
  void aSymlinkOutOfTheFolderIsNotServed() throws Exception {
    Files.createSymbolicLink(folder.resolve("link.txt"), root.resolve("outside.txt"));
    assertThat(request("link.txt\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void aSilentClientIsDisconnectedAfterTheRequestTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }
}
