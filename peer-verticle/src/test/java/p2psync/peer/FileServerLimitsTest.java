package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.SyncConfig;

/**
 * The file server's limits: slow and never-ending requests, slow readers, the upload cap, files
 * changing mid-send.
 */
@ExtendWith(VertxExtension.class)
class FileServerLimitsTest {
  private static final int BIG = 16 * 1024 * 1024;

  @TempDir Path folder;
  int port;
  PeerVerticle peer;

  void startPeer(Vertx vertx, SyncConfig config) throws Exception {
    byte[] big = new byte[BIG];
    new Random(1).nextBytes(big);
    Files.write(folder.resolve("big.bin"), big);
    Files.writeString(folder.resolve("small.txt"), "small");
    peer =
        new PeerVerticle(
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerPort(1)
                .setSync(config));
    vertx.deployVerticle(peer).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = peer.actualPort();
  }

  private Socket connect() throws Exception {
    return connect(0);
  }

  /**
   * A receive buffer must be set before connecting: shrunk afterwards, Linux can stall the window.
   */
  private Socket connect(int receiveBuffer) throws Exception {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(10_000);
    return socket;
  }

  private String fetchSmall() throws Exception {
    try (Socket socket = connect()) {
      askForSmall(socket);
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void askForSmall(Socket socket) throws Exception {
    socket.getOutputStream().write("small.txt\n".getBytes(StandardCharsets.UTF_8));
  }

  /** Whether a new connection asking for a file is closed without an answer. */
  private boolean anotherIsRefused() throws Exception {
    try (Socket another = connect()) {
      askForSmall(another);
      return another.getInputStream().read() == -1;
    }
  }

  /** Reads {@code Content-Length: N\n} and returns N. */
  private static long readHeader(InputStream in) throws Exception {
    StringBuilder header = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      assertThat(b).isNotNegative();
      header.append((char) b);
    }
    return Long.parseLong(header.substring("Content-Length: ".length()));
  }

  @Test
  void aRequestLineThatNeverEndsIsCutOffAfterTheRequestTimeout(Vertx vertx) throws Exception {
    startPeer(vertx, new SyncConfig().setRequestTimeout(Duration.ofMillis(500)));
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write("small.tx".getBytes(StandardCharsets.UTF_8)); // no newline, ever
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(fetchSmall()).isEqualTo("Content-Length: 5\nsmall");
  }

  @Test
  void uploadsBeyondTheCapAndTheQueueAreRefusedAndServedAgainOnceOthersFinish(Vertx vertx)
      throws Exception {
    startPeer(vertx, new SyncConfig().setMaxConcurrentUploads(2).setMaxQueuedUploads(0));
    try (Socket first = connect();
        Socket second = connect()) {
      first.getOutputStream().write('b'); // two uploads in progress, neither finished its request
      second.getOutputStream().write('b');
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::anotherIsRefused);
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fetchSmall().equals("Content-Length: 5\nsmall"));
  }

  @Test
  void connectionsBeyondTheCapWaitTheirTurnOldestFirst(Vertx vertx) throws Exception {
    startPeer(vertx, new SyncConfig().setMaxConcurrentUploads(1).setMaxQueuedUploads(2));
    try (Socket first = connect();
        Socket second = connect();
        Socket third = connect()) {
      first.getOutputStream().write('b'); // the one upload, its request unfinished
      askForSmall(second);
      askForSmall(third);
      // the queue is full once both wait: a fourth is refused at once
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::anotherIsRefused);
      first.close(); // its slot goes to the oldest waiting, then the next
      assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("Content-Length: 5\nsmall");
      assertThat(new String(third.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("Content-Length: 5\nsmall");
    }
  }

  @Test
  void aConnectionWaitsAtMostTheRequestTimeout(Vertx vertx) throws Exception {
    startPeer(
        vertx,
        new SyncConfig()
            .setMaxConcurrentUploads(1)
            .setRequestTimeout(Duration.ofMillis(300))
            .setMaxQueuedUploads(4));
    try (Socket first = connect()) {
      first.getOutputStream().write("big.bin\n".getBytes(StandardCharsets.UTF_8));
      readHeader(first.getInputStream()); // the one upload runs, unread, for as long as we like
      try (Socket second = connect()) {
        askForSmall(second);
        assertThat(second.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void aSlowReaderGetsEveryByteAndDoesNotHoldUpOthers(Vertx vertx) throws Exception {
    startPeer(vertx, new SyncConfig());
    try (Socket slow = connect(4096)) {
      slow.getOutputStream().write("big.bin\n".getBytes(StandardCharsets.UTF_8));
      DataInputStream in = new DataInputStream(slow.getInputStream());
      assertThat(readHeader(in)).isEqualTo(BIG);
      in.readFully(new byte[1000]);
      // While it dawdles with most of 16 MiB unread, others are served.
      for (int i = 0; i < 20; i++) {
        assertThat(fetchSmall()).isEqualTo("Content-Length: 5\nsmall");
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] expected = Files.readAllBytes(folder.resolve("big.bin"));
      digest.update(expected, 0, 1000);
      byte[] rest = in.readAllBytes();
      assertThat(rest).hasSize(BIG - 1000);
      digest.update(rest);
      assertThat(digest.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
    }
  }

  @Test
  void aFileChangedWhileBeingServedIsCutShortNotDeliveredTorn(Vertx vertx) throws Exception {
    startPeer(vertx, new SyncConfig());
    try (Socket socket = connect(4096)) {
      socket.getOutputStream().write("big.bin\n".getBytes(StandardCharsets.UTF_8));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long announced = readHeader(in);
      in.readFully(new byte[1_000_000]);
      try (RandomAccessFile file = new RandomAccessFile(folder.resolve("big.bin").toFile(), "rw")) {
        file.seek(BIG - 100);
        file.write(new byte[100]); // rewritten in place, same size
      }
      long rest = in.readAllBytes().length;
      assertThat(1_000_000 + rest).isLessThan(announced);
    }
    assertThat(fetchSmall()).isEqualTo("Content-Length: 5\nsmall");
  }

  @Test
  void aStoppedPeerCutsItsUploadsInProgress(Vertx vertx) throws Exception {
    startPeer(vertx, new SyncConfig());
    try (Socket socket = connect(64 * 1024)) { // socket buffers hold far less than the 16 MiB file
      socket.getOutputStream().write("big.bin\n".getBytes(StandardCharsets.UTF_8));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long announced = readHeader(in);
      in.readFully(new byte[1000]);
      vertx
          .undeploy(peer.deploymentID())
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      long rest = 0;
      try {
        rest = in.readAllBytes().length; // ends (EOF or reset) well before the 10 s read timeout
      } catch (java.net.SocketException reset) {
        // a reset is a cut too
      }
      assertThat(1000 + rest).isLessThan(announced);
    }
  }
}
