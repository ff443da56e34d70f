package p2psync.simulation.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the benchmarks from rotting: each runs tiny and must produce sane figures. No figure is
 * held to a target here (timings are for {@code p2psync bench}, by hand).
 */
class BenchSmokeTest {
  @TempDir Path dir;
  final ByteArrayOutputStream text = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {1, 2})
  void transferOfOneMebibyte(int protocol) throws Exception {
    TransferBench.Result result =
        TransferBench.run(new TransferBench.Options(1 << 20, dir, 1, true, protocol), out);
    result.print(out);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("protocol " + protocol);
    assertThat(result.runs()).hasSize(1);
    assertThat(result.runs().get(0).transferSeconds()).isPositive();
    assertThat(result.runs().get(0).copySeconds()).isPositive();
    assertThat(result.runs().get(0).cpSyncSeconds()).as("cp + sync, on Linux").isPositive();
    assertThat(result.runs().get(0).floorSeconds()).as("the plain-NIO pull").isPositive();
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("ratio p2p/copy", "p2p/(cp + sync)", "plain-NIO pull/copy");
    try (var left = Files.list(dir)) {
      assertThat(left).as("temp folders deleted").isEmpty();
    }
  }

  @Test
  void transferInRangesFromThreeSources() throws Exception {
    TransferBench.Result result =
        TransferBench.run(new TransferBench.Options(1 << 20, dir, 1, true, 2, 3), out);
    result.print(out);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("protocol 2, 3 source(s)");
    assertThat(result.runs()).hasSize(1);
    assertThat(result.runs().get(0).transferSeconds()).isPositive();
    try (var left = Files.list(dir)) {
      assertThat(left).as("temp folders deleted").isEmpty();
    }
  }

  @Test
  void trackerWithTwentyConnectionsForOneSecond() throws Exception {
    TrackerBench.Result result =
        TrackerBench.run(
            new TrackerBench.Options(
                20,
                50,
                Duration.ofMillis(200),
                Duration.ofSeconds(1),
                5,
                true,
                "",
                false,
                null,
                1,
                false),
            out);
    result.print(out);
    assertThat(result.init().count()).isEqualTo(20);
    assertThat(result.keepAlive().count()).isGreaterThan(20);
    assertThat(result.readvertise().count()).isPositive();
    assertThat(result.missingReplies()).isZero();
    assertThat(result.closedByTracker()).isZero();
    // 50 entries of {"shared-file-000000.dat": {"ip": "127.0.0.1", "port": 10000, "mtime":
    // 1700000000}}
    assertThat(result.replyBytes()).isGreaterThan(50 * 70L);
  }

  @Test
  void trackerV2WithDeltasAndPushes() throws Exception {
    TrackerBench.Result result =
        TrackerBench.run(
            new TrackerBench.Options(
                20,
                50,
                Duration.ofMillis(200),
                Duration.ofSeconds(1),
                5,
                true,
                "",
                false,
                null,
                1,
                true),
            out);
    result.print(out);
    assertThat(result.init().count()).isEqualTo(20);
    assertThat(result.keepAlive().count()).isGreaterThan(20);
    assertThat(result.missingReplies()).isZero();
    assertThat(result.closedByTracker()).isZero();
    // every change is pushed to the other peers, and a KeepAlive costs a mark, not the directory
    assertThat(result.pushes()).isPositive();
    assertThat(result.windowBytes()).isPositive();
    assertThat(result.replyBytes()).isLessThan(50 * 70L);
  }

  @Test
  void trackerStormOfThirtyPeersInAChildJvm() throws Exception {
    TrackerBench.Result result =
        TrackerBench.run(
            new TrackerBench.Options(
                30,
                40,
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                0,
                false,
                TrackerMain.LAUNCHER_JVM_OPTIONS,
                true,
                null,
                2,
                false),
            out);
    result.print(out);
    assertThat(result.init().count()).isEqualTo(30);
    assertThat(result.failedConnections()).isZero();
    assertThat(result.closedByTracker()).isZero();
    assertThat(result.keepAliveAfterStorm().count()).isPositive();
    assertThat(result.trackerPeakRss()).as("read from the child's /proc").isPositive();
    assertThat(result.separateProcess()).isTrue();
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("Init replies")
        .contains("failed connections: 0")
        .contains("round 2 of 2");
  }

  @Test
  void convergenceOfThreePeers() throws Exception {
    SwarmBench.Result result =
        SwarmBench.run(
            SwarmBench.Options.convergence(
                3, 2, 4096, Duration.ofMillis(200), dir, Duration.ofSeconds(30)),
            out);
    result.print(out);
    assertThat(result.contentsVerified()).isTrue();
    assertThat(result.downloads()).isEqualTo(3 * 2 * 2);
  }

  @Test
  void smallFilesJoiningTwoPeers() throws Exception {
    SwarmBench.Result result =
        SwarmBench.run(
            SwarmBench.Options.smallFiles(
                50, 2, 100, Duration.ofMillis(200), dir, Duration.ofSeconds(30)),
            out);
    result.print(out);
    assertThat(result.contentsVerified()).isTrue();
    assertThat(result.replyBytes()).isGreaterThan(50 * 50L);
  }

  @Test
  void propagationOfTwoFilesAmongThreeV2Peers() throws Exception {
    PropagationBench.Result result =
        PropagationBench.run(
            new PropagationBench.Options(
                3,
                2,
                1024,
                2,
                Duration.ofMillis(200),
                Duration.ofMillis(20),
                dir,
                Duration.ofSeconds(30)),
            out);
    result.print(out);
    assertThat(result.writes()).hasSize(2);
    assertThat(result.deletes()).hasSize(2);
  }
}
