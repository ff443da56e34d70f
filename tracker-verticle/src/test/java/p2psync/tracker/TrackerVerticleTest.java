package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
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
                        // an expiry well above the 100 ms the talking clients keep to: a loaded
                        // machine that holds one of them up for 600 ms must not expire it
                        .setTrackerExpiry(Duration.ofSeconds(2))
                        .setMaxLineBytes(1024)));
    vertx
        .deployVerticle(tracker)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void repliesWithPythonFormattedDirectory() throws Exception {
    try (SeedClient client = new SeedClient(tracker.actualPort())) {
      assertThat(
              client.ask(
                  "{\"port\": 8000, \"files\": [{\"name\": \"fileA.txt\", \"mtime\": 1771289241}]}"))
          .isEqualTo(
              "{\"fileA.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1771289241}}");
    }
  }

  @Test
  void badInputClosesThatConnectionOnlyAndUnsafeNamesNeverReachTheDirectory() throws Exception {
    try (SeedClient good = new SeedClient(tracker.actualPort())) {
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
        try (SeedClient hostile = new SeedClient(tracker.actualPort())) {
          hostile.send(bad + "\n");
          assertThat(hostile.in.read()).as(bad).isEqualTo(-1); // closed, no reply
        }
      }
      try (SeedClient binary = new SeedClient(tracker.actualPort())) {
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
    // The log says why each one left (a strong reference: JUL keeps loggers weakly).
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(TrackerConnection.class.getName());
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try {
      leavingAndFallingSilent();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(logged)
                      .anyMatch(m -> m.endsWith("(serving 127.0.0.1:8002): closed by the peer"))
                      .anyMatch(
                          m -> m.matches(".*\\(serving 127.0.0.1:8003\\): silent for \\d+ ms.*")));
    } finally {
      log.removeHandler(capture);
    }
  }

  private void leavingAndFallingSilent() throws Exception {
    try (SeedClient staying = new SeedClient(tracker.actualPort())) {
      staying.ask("{\"port\": 8001, \"files\": [{\"name\": \"kept\", \"mtime\": 1}]}");
      SeedClient leaving = new SeedClient(tracker.actualPort());
      leaving.ask("{\"port\": 8002, \"files\": [{\"name\": \"gone\", \"mtime\": 1}]}");
      leaving.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> !tracker.directoryLine().contains("gone"));

      try (SeedClient silent = new SeedClient(tracker.actualPort())) {
        silent.ask("{\"port\": 8003, \"files\": [{\"name\": \"silent\", \"mtime\": 1}]}");
        // staying keeps talking; silent says nothing for the expiry (2 s)
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
    try (SeedClient old = new SeedClient(tracker.actualPort());
        SeedClient fresh = new SeedClient(tracker.actualPort())) {
      old.ask("{\"port\": 8001, \"files\": [{\"name\": \"x\", \"mtime\": 1}]}");
      fresh.ask("{\"port\": 8001, \"files\": [{\"name\": \"y\", \"mtime\": 1}]}");
      assertThat(old.in.read()).isEqualTo(-1);
      await().atMost(Duration.ofSeconds(5)).until(() -> tracker.peerCount() == 1);
      assertThat(tracker.directoryLine()).doesNotContain("\"x\"").contains("\"y\"");
    }
  }

  @Test
  void aLineThatNeverEndsIsCutOffAtTheLimit() throws Exception {
    try (SeedClient endless = new SeedClient(tracker.actualPort());
        SeedClient good = new SeedClient(tracker.actualPort())) {
      endless.send(
          "{\"port\": 8000, \"files\": [" + "{\"name\": \"x\", \"mtime\": 1}, ".repeat(100));
      assertThat(endless.in.read()).isEqualTo(-1); // 1 KiB limit in this test: closed, no reply
      assertThat(good.ask("{\"port\": 8001}")).isEqualTo("{}");
    }
  }

  @Test
  void aClientThatConnectsAndSaysNothingIsClosedAfterTheExpiry() throws Exception {
    try (SeedClient mute = new SeedClient(tracker.actualPort())) {
      assertThat(mute.in.read()).isEqualTo(-1); // 2 s of silence in this test
    }
  }

  @Test
  void aFloodOnOneConnectionDoesNotStarveOthers(Vertx vertx) throws Exception {
    // A tracker of its own with the default timings: with this class's 2 s expiry, a busy
    // machine could expire the good peer while its reply waits behind the flood's.
    TrackerVerticle tracker =
        new TrackerVerticle(new TrackerOptions().setHost("127.0.0.1").setPort(0));
    vertx
        .deployVerticle(tracker)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try (SeedClient flood = new SeedClient(tracker.actualPort());
        SeedClient good = new SeedClient(tracker.actualPort())) {
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
