package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static p2psync.tracker.V2TrackerTest.A;
import static p2psync.tracker.V2TrackerTest.B;
import static p2psync.tracker.V2TrackerTest.v2File;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2psync.common.SeedCodec;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaLine;
import p2psync.common.delta.DeltaRequest;
import p2psync.common.delta.DirectoryCopy;

/**
 * The tracker's side of directory deltas on real sockets: versioned lines for the connections that
 * ask, pushes coalesced per interval, and every other connection's line as it was.
 */
@ExtendWith(VertxExtension.class)
class DeltaTrackerTest {
  private static final Duration PUSH_INTERVAL = Duration.ofMillis(500);

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
                        .setV2LineInterval(Duration.ZERO)
                        .setDirectoryPushInterval(PUSH_INTERVAL)));
    vertx
        .deployVerticle(tracker)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** A delta peer on a raw socket: its copy, kept by every line it reads. */
  static final class DeltaPeer implements AutoCloseable {
    final SeedClient client;
    final int port;
    final DirectoryCopy copy = new DirectoryCopy();
    String lastLine;

    DeltaPeer(int trackerPort, int port) throws Exception {
      this.client = new SeedClient(trackerPort);
      this.port = port;
    }

    /** Sends a message with its delta field, reads and applies the reply. */
    DeltaLine ask(String files) throws Exception {
      client.send(
          "{\"port\": "
              + port
              + ", \"v\": 2, "
              + copy.request(true).encodeField()
              + (files == null ? "" : ", \"files\": [" + files + "]")
              + "}\n");
      return read();
    }

    DeltaLine read() throws Exception {
      lastLine = client.in.readLine();
      DeltaLine line = DeltaLine.decode(Buffer.buffer(lastLine));
      copy.apply(line);
      return line;
    }

    @Override
    public void close() throws Exception {
      client.close();
    }
  }

  @Test
  void deltaPeersGetVersionsAndPushesOtherConnectionsTheirLinesAsBefore() throws Exception {
    try (SeedClient seed = new SeedClient(tracker.actualPort());
        SeedClient plainV2 = new SeedClient(tracker.actualPort());
        DeltaPeer a = new DeltaPeer(tracker.actualPort(), 8001);
        DeltaPeer b = new DeltaPeer(tracker.actualPort(), 8002)) {
      seed.ask("{\"port\": 8000, \"files\": [{\"name\": \"s\", \"mtime\": 3}]}");
      DeltaLine first = a.ask(v2File("f", 10, 5, A));
      assertThat(first.full()).isTrue();
      assertThat(a.copy.entries().keySet()).containsExactly("f", "s");

      // nothing changed: a mark alone
      DeltaLine none = a.ask(null);
      assertThat(none.from()).isEqualTo(none.version()).isEqualTo(first.version());
      assertThat(none.members()).isEmpty();
      assertThat(a.lastLine.length()).isLessThan(70);

      // b joins: a is pushed the change without asking, within one interval
      DeltaLine bFirst = b.ask(v2File("f", 10, 5, A) + ", " + v2File("g", 20, 7, B));
      assertThat(bFirst.full()).isTrue();
      DeltaLine pushed = a.read();
      assertThat(b.read().version()).isEqualTo(pushed.version()); // b's own change, pushed back
      assertThat(pushed.full()).isFalse();
      assertThat(pushed.members()).extracting(DeltaLine.Member::name).containsExactly("f", "g");
      String v2Line = plainV2.ask("{\"port\": 8009, \"v\": 2}");
      assertThat(v2Line).startsWith("{\"\": {\"v\": 2}, ");
      assertThat(a.copy.entries())
          .isEqualTo(SeedCodec.decodeDirectory(Buffer.buffer(v2Line)).entries());

      // the seed connection's line is the seed line, byte for byte
      assertThat(seed.ask("{\"port\": 8000}"))
          .isEqualTo(
              "{\"f\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 10},"
                  + " \"g\": {\"ip\": \"127.0.0.1\", \"port\": 8002, \"mtime\": 20},"
                  + " \"s\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 3}}")
          .isEqualTo(tracker.directoryLine());

      // three changes within one interval: one push with all three
      long before = a.copy.version();
      seed.ask("{\"port\": 8000, \"files\": [{\"name\": \"s\", \"mtime\": 4}]}");
      b.ask(v2File("f", 10, 5, A) + ", " + v2File("g", 21, 7, A));
      plainV2.ask("{\"port\": 8009, \"v\": 2, \"files\": [" + v2File("h", 1, 1, A) + "]}");
      DeltaLine coalesced = a.read();
      assertThat(coalesced.from()).isEqualTo(before);
      assertThat(coalesced.version()).isEqualTo(before + 1);
      assertThat(coalesced.members())
          .extracting(DeltaLine.Member::name)
          .containsExactly("g", "h", "s");
      a.client.socket.setSoTimeout((int) PUSH_INTERVAL.multipliedBy(3).toMillis());
      assertThat(readNothing(a)).isTrue();
    }
  }

  @Test
  void aPeerThatNamesAnotherEpochOrNoVersionGetsTheWholeDirectory() throws Exception {
    try (DeltaPeer a = new DeltaPeer(tracker.actualPort(), 8001)) {
      DeltaLine first = a.ask(v2File("f", 10, 5, A));
      for (DeltaRequest doubt :
          new DeltaRequest[] {
            new DeltaRequest(first.epoch() + 1, first.version(), true),
            new DeltaRequest(0, 0, true),
            new DeltaRequest(first.epoch(), first.version() + 5, true)
          }) {
        a.client.send("{\"port\": 8001, \"v\": 2, " + doubt.encodeField() + "}\n");
        DeltaLine line = a.read();
        assertThat(line.full()).as("%s", doubt).isTrue();
        assertThat(line.version()).isEqualTo(first.version());
      }
      // a message without "delta" after the first is answered from the last version sent
      a.client.send("{\"port\": 8001, \"v\": 2}\n");
      assertThat(a.read().members()).isEmpty();
    }
  }

  /** True when no line comes within the socket's timeout. */
  private static boolean readNothing(DeltaPeer peer) throws Exception {
    try {
      String line = peer.client.in.readLine();
      return line == null;
    } catch (SocketTimeoutException expected) {
      return true;
    }
  }
}
