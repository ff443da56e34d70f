package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * How a refused request ends its connection: the answers written before it arrive whole, then the
 * end of the stream (a FIN, never a reset); the upload slot is free at once; a requester that never
 * closes its side is closed after the request timeout.
 */
@ExtendWith(VertxExtension.class)
class FileServerRefusalTest {
  /**
   * More than the requester's receive buffer (so most of its answer still waits in the server's
   * send buffer when the next request is refused), and less than the kernel's buffers hold in all
   * (the server hands an answer over whole before it reads the next request, and the requester does
   * not read until the refusal).
   */
  private static final int BIG = 1024 * 1024;

  @TempDir Path folder;
  PeerVerticle peer;
  int port;
  byte[] big;

  void startPeer(Vertx vertx, int protocol, SyncConfig config) throws Exception {
    big = new byte[BIG];
    new Random(3).nextBytes(big);
    Files.write(folder.resolve("big.bin"), big);
    Files.writeString(folder.resolve("small.txt"), "small");
    peer = TestPeers.start(vertx, folder, 1, protocol, config);
    port = peer.actualPort();
  }

  /** A receive buffer must be set before connecting (see FileServerLimitsTest). */
  private Socket connect(int receiveBuffer) throws Exception {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Requests refused so far (not counting connections refused for the limits). */
  private long refusedRequests() {
    return refused("request");
  }

  /** Connections refused so far for {@code reason} (request, limit, waited). */
  private long refused(String reason) {
    Counter refused =
        peer.meters().find("p2psync_peer_uploads_refused").tag("reason", reason).counter();
    return refused == null ? 0 : (long) refused.count();
  }

  /**
   * A peer with one upload slot, already taken (returned: close it last): its requester asks for a
   * file larger than the socket buffers and reads only its first byte, so the upload runs on.
   */
  private Socket startPeerWithItsOneSlotTaken(Vertx vertx, int queued, Duration requestTimeout)
      throws Exception {
    Files.write(folder.resolve("huge.bin"), new byte[16 * 1024 * 1024]);
    startPeer(
        vertx,
        1,
        new SyncConfig()
            .setMaxConcurrentUploads(1)
            .setMaxQueuedUploads(queued)
            .setRequestTimeout(requestTimeout));
    Socket holder = connect(4096);
    holder.getOutputStream().write("huge.bin\n".getBytes(StandardCharsets.UTF_8));
    assertThat(holder.getInputStream().read()).isEqualTo('C'); // served, and it reads no further
    return holder;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  private static byte[] v2Request(String name, String sha, boolean more) {
    return V2PipelineTest.request(name, sha, more);
  }

  @Test
  void theAnswersBeforeARefusalArriveWholeThenTheEnd(Vertx vertx) throws Exception {
    startPeer(vertx, 2, new SyncConfig());
    String bigSha = sha256(big);
    String smallSha = sha256("small".getBytes(StandardCharsets.UTF_8));
    // served once hashed (a request before that is refused: counted below from here on)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                FileServerTest.exchange(port, v2Request("small.txt", smallSha, false)).length > 0
                    && FileServerTest.exchange(port, v2Request("big.bin", bigSha, false)).length
                        > 0);
    long refusedBefore = refusedRequests();

    try (Socket socket = connect(4096)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          V2PipelineTest.concat(
              v2Request("big.bin", bigSha, true),
              v2Request("gone.bin", bigSha, true), // not here: deleted since its directory, say
              v2Request("small.txt", smallSha, false)));
      out.flush();
      // Nothing read yet: the big answer waits in the buffers, unread, while the server refuses.
      await().atMost(Duration.ofSeconds(10)).until(() -> refusedRequests() == refusedBefore + 1);
      // A requester writes each request as soon as it is ready (the Downloader, as its temp
      // files open): one more arrives after the refusal, before it has read the answers. At a
      // closed socket it met a reset, which threw away the big answer's bytes not yet sent.
      out.write(v2Request("small.txt", smallSha, false));
      out.flush();

      byte[] received = socket.getInputStream().readAllBytes(); // a reset throws
      assertThat(received).isEqualTo(V2PipelineTest.answerOf(big));
    }
  }

  @Test
  void aRefusedConnectionLeftOpenGivesItsSlotToTheNextAtOnce(Vertx vertx) throws Exception {
    // Far longer than the sockets' read timeout: a slot held until then fails the test.
    startPeer(
        vertx,
        1,
        new SyncConfig()
            .setMaxConcurrentUploads(1)
            .setMaxQueuedUploads(1)
            .setRequestTimeout(Duration.ofSeconds(60)));
    try (Socket refused = connect(0);
        Socket waiting = connect(0)) {
      waiting.getOutputStream().write("small.txt\n".getBytes(StandardCharsets.UTF_8));
      // the queue is full once it waits: another connection is refused at once
      try (Socket another = connect(0)) {
        assertThat(another.getInputStream().read()).isEqualTo(-1);
      }
      refused.getOutputStream().write("gone.txt\n".getBytes(StandardCharsets.UTF_8));
      assertThat(refused.getInputStream().read()).isEqualTo(-1); // refused; this side stays open
      assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("Content-Length: 5\nsmall");
    }
  }

  @Test
  void aRequesterThatNeverClosesIsClosedAfterTheRequestTimeout(Vertx vertx) throws Exception {
    Duration timeout = Duration.ofMillis(500);
    startPeer(vertx, 1, new SyncConfig().setRequestTimeout(timeout));
    try (Socket socket = connect(0)) {
      OutputStream out = socket.getOutputStream();
      long asked = System.nanoTime(); // before the refusal, so before its timer started
      out.write("gone.txt\n".getBytes(StandardCharsets.UTF_8));
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // no bytes, the end
      // Until then what it sends is read and dropped; once the server closed, a write is answered
      // by a reset, and a write after that fails.
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> writeFails(out));
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(timeout);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"gone.txt", "../outside.txt"}) // refused after a look at the disk, at once
  void whatARequesterSendsAfterARefusalIsReadAndDropped(String name, Vertx vertx) throws Exception {
    startPeer(vertx, 1, new SyncConfig().setRequestTimeout(Duration.ofSeconds(60)));
    try (Socket socket = connect(0)) {
      OutputStream out = socket.getOutputStream();
      out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      sendAfterTheEnd(out);
    }
  }

  /**
   * Refused before it was served (no slot and no room to wait; or it waited too long), a connection
   * ends as a refused request does: its request line, unread at the refusal, and what follows are
   * read and dropped, and the end arrives as a FIN. Closed with its line unread, it was reset: a
   * seed requester saw an error where the protocol has an empty answer.
   */
  @ParameterizedTest
  @ValueSource(strings = {"limit", "waited"})
  void aConnectionRefusedBeforeItIsServedIsEndedTheSameWay(String reason, Vertx vertx)
      throws Exception {
    try (Socket holder =
        startPeerWithItsOneSlotTaken(
            vertx, reason.equals("limit") ? 0 : 1, Duration.ofSeconds(2))) {
      try (Socket refused = connect(0)) {
        OutputStream out = refused.getOutputStream();
        out.write("small.txt\n".getBytes(StandardCharsets.UTF_8));
        assertThat(refused.getInputStream().read()).isEqualTo(-1); // no bytes, the end
        assertThat(refused(reason)).isEqualTo(1);
        sendAfterTheEnd(out); // a reset fails it
      }
    }
  }

  /**
   * Refused connections whose requesters never close are held open to drain only up to as many as
   * the server takes connections at all (slots plus queue); beyond, one is closed at once.
   */
  @Test
  void refusedConnectionsHeldOpenAreBounded(Vertx vertx) throws Exception {
    try (Socket holder = startPeerWithItsOneSlotTaken(vertx, 0, Duration.ofSeconds(60));
        Socket first = connect(0);
        Socket second = connect(0)) {
      assertThat(first.getInputStream().read()).isEqualTo(-1); // refused, held to drain
      await().atMost(Duration.ofSeconds(5)).until(() -> writeFails(second.getOutputStream()));
      sendAfterTheEnd(first.getOutputStream());
    }
  }

  /** More than the kernel's buffers hold: the writes end only if the server reads on. */
  private static void sendAfterTheEnd(OutputStream out) throws Exception {
    CompletableFuture.runAsync(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              try {
                for (int i = 0; i < 256; i++) {
                  out.write(chunk);
                }
                out.flush();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(10, TimeUnit.SECONDS);
  }

  private static boolean writeFails(OutputStream out) {
    try {
      out.write('x');
      out.flush();
      return false;
    } catch (SocketException closed) {
      return true;
    } catch (IOException other) {
      throw new UncheckedIOException(other);
    }
  }
}
