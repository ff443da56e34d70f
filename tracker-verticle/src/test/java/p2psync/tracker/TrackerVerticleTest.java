package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2psync.common.SyncConfig;

@ExtendWith(VertxExtension.class)
class TrackerVerticleTest {
  TrackerVerticle tracker;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    tracker =
        new TrackerVerticle(
            new TrackerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSync(
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofMillis(200))
                        .setMaxLineBytes(1024)));
    vertx
        .deployVerticle(tracker)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** A raw seed-style client. */
  final class Client implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;

    Client() throws Exception {
      socket = new Socket("127.0.0.1", tracker.actualPort());
      socket.setSoTimeout(5_000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    void send(String text) throws Exception {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    }

    String ask(String line) throws Exception {
      send(line + "\n");
      return in.readLine();
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  @Test
  void repliesWithPythonFormattedDirectory() throws Exception {
    try (Client client = new Client()) {
      assertThat(
              client.ask(
                  "{\"port\": 8000, \"files\": [{\"name\": \"fileA.txt\", \"mtime\": 1771289241}]}"))
          .isEqualTo(
              "{\"fileA.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1771289241}}");
    }
  }

  @Test
  void badInputClosesThatConnectionOnlyAndUnsafeNamesNeverReachTheDirectory() throws Exception {
    try (Client good = new Client()) {
      good.ask(
          "{\"port\": 8000, \"files\": [{\"name\": \"a\", \"mtime\": 1}, {\"name\": \"../evil\", \"mtime\": 9}]}");
      for (String bad :
          new String[] {
            "not json",
            "[1, 2]",
            "{\"port\": \"8000\"}",
            "{\"port\": 70000}",
            "{\"port\": 1, \"files\": [{\"name\": 5, \"mtime\": 1}]}",
            "x".repeat(2000)
          }) {
        try (Client hostile = new Client()) {
          hostile.send(bad + "\n");
          assertThat(hostile.in.read()).as(bad).isEqualTo(-1); // closed, no reply
        }
      }
      try (Client binary = new Client()) {
        binary
            .socket
            .getOutputStream()
            .write(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}', '\n'});
        assertThat(binary.in.read()).isEqualTo(-1);
      }
      assertThat(good.ask("{\"port\": 8000}"))
          .isEqualTo("{\"a\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1}}");
    }
  }

  @Test
  void aPeerLeavesWhenItsConnectionClosesAndWhenItFallsSilent() throws Exception {
    try (Client staying = new Client()) {
      staying.ask("{\"port\": 8001, \"files\": [{\"name\": \"kept\", \"mtime\": 1}]}");
      Client leaving = new Client();
      leaving.ask("{\"port\": 8002, \"files\": [{\"name\": \"gone\", \"mtime\": 1}]}");
      leaving.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> !tracker.directoryLine().contains("gone"));

      try (Client silent = new Client()) {
        silent.ask("{\"port\": 8003, \"files\": [{\"name\": \"silent\", \"mtime\": 1}]}");
        // staying keeps talking; silent says nothing for three keepalive intervals (600 ms)
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  staying.ask("{\"port\": 8001}");
                  return !tracker.directoryLine().contains("silent");
                });
        assertThat(silent.in.read()).isEqualTo(-1);
      }
      assertThat(tracker.directoryLine()).contains("kept");
    }
  }

  @Test
  void aReconnectingPeerRetiresItsStaleConnection() throws Exception {
    try (Client old = new Client();
        Client fresh = new Client()) {
      old.ask("{\"port\": 8001, \"files\": [{\"name\": \"x\", \"mtime\": 1}]}");
      fresh.ask("{\"port\": 8001, \"files\": [{\"name\": \"y\", \"mtime\": 1}]}");
      assertThat(old.in.read()).isEqualTo(-1);
      await().atMost(Duration.ofSeconds(5)).until(() -> tracker.peerCount() == 1);
      assertThat(tracker.directoryLine()).doesNotContain("\"x\"").contains("\"y\"");
    }
  }

  @Test
  void aLineThatNeverEndsIsCutOffAtTheLimit() throws Exception {
    try (Client endless = new Client();
        Client good = new Client()) {
      endless.send(
          "{\"port\": 8000, \"files\": [" + "{\"name\": \"x\", \"mtime\": 1}, ".repeat(100));
      assertThat(endless.in.read()).isEqualTo(-1); // 1 KiB limit in this test: closed, no reply
      assertThat(good.ask("{\"port\": 8001}")).isEqualTo("{}");
    }
  }

  @Test
  void aClientThatConnectsAndSaysNothingIsClosedAfterTheExpiry() throws Exception {
    try (Client mute = new Client()) {
      assertThat(mute.in.read()).isEqualTo(-1); // 600 ms of silence in this test
    }
  }

  @Test
  void aFloodOnOneConnectionDoesNotStarveOthers() throws Exception {
    try (Client flood = new Client();
        Client good = new Client()) {
      good.ask("{\"port\": 8001, \"files\": [{\"name\": \"a\", \"mtime\": 1}]}");
      // 20,000 messages, replies never read: the tracker stops reading the flood, not serving
      // others.
      byte[] burst = "{\"port\": 8000}\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 20; i++) {
                    flood.socket.getOutputStream().write(burst);
                  }
                } catch (Exception e) {
                  // the flood's socket blocked or was closed: either way the tracker held out
                }
              });
      writer.setDaemon(true);
      writer.start();
      for (int i = 0; i < 20; i++) {
        assertThat(good.ask("{\"port\": 8001}")).contains("\"a\"");
      }
    }
  }
}
