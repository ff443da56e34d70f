package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest extends ConsoleCapture {
  @Test
  void helpOnEveryCommand() {
    for (String command :
        new String[] {
          "tracker", "peer", "run", "demo", "simulate", "toxiproxy", "status", "conform"
        }) {
      assertThat(Main.execute(command, "--help")).isZero();
      assertThat(output()).contains("Usage: p2psync " + command);
    }
  }

  @Test
  void theCommandListShowsEachSummaryWhole() {
    assertThat(Main.execute("--help")).isZero();
    // picocli lists the first description line only: it must be a sentence of its own
    assertThat(output().replaceAll("\\s+", " "))
        .contains(
            " simulate Run a tracker and N peers behind Toxiproxy under faults until they converge. toxiproxy ");
    assertThat(output().replaceAll("\\s+", " "))
        .contains(
            " status Show the status of a tracker or a peer started with --http-port, read from http://HOST:PORT/api/status. conform Test another program against the seed protocol and report each numbered case. help ");
  }

  @Test
  void wrongArgumentsPrintUsageAndExit2() {
    assertThat(Main.execute()).isEqualTo(2);
    assertThat(Main.execute("nonsense")).isEqualTo(2);
    assertThat(Main.execute("tracker", "127.0.0.1")).isEqualTo(2);
    assertThat(Main.execute("tracker", "127.0.0.1", "port")).isEqualTo(2);
    assertThat(Main.execute("run", "NoSuchVerticle")).isEqualTo(2);
    assertThat(Main.execute("run", "TrackerVerticle", "-conf", "{not json")).isEqualTo(2);
    assertThat(Main.execute("demo", "--timeout", "soon")).isEqualTo(2);
    assertThat(Main.execute("simulate", "--faults", "latency,flood")).isEqualTo(2);
    assertThat(Main.execute("simulate", "--size", "lots")).isEqualTo(2);
    assertThat(Main.execute("simulate", "--peers", "1")).isEqualTo(2);
    assertThat(Main.execute("conform")).isEqualTo(2);
    assertThat(Main.execute("conform", "tracker")).isEqualTo(2);
    assertThat(Main.execute("conform", "tracker", "--command", "tracker {host}")).isEqualTo(2);
    assertThat(Main.execute("conform", "tracker", "--command", "'unclosed {port}")).isEqualTo(2);
    assertThat(
            Main.execute("conform", "tracker", "--command", "t {port}", "--startup-timeout", "x"))
        .isEqualTo(2);
    assertThat(Main.execute("conform", "peer", "--command", "peer.py {host}")).isEqualTo(2);
    assertThat(Main.execute("conform", "peer", "--command", "p {port}", "--parallel", "0"))
        .isEqualTo(2);
    assertThat(Main.execute("conform", "peer", "--command", "p {port}", "--case", "P1,P99"))
        .isEqualTo(2);
    assertThat(Main.execute("simulate", "--external-peers", "2")).isEqualTo(2);
    assertThat(Main.execute("simulate", "--trackers", "3", "--tracker-command", "t {host} {port}"))
        .isEqualTo(2);
    assertThat(output())
        .contains("Usage:")
        .contains("--command must contain {port}")
        .contains("no such case: P99")
        .contains("external peers need a peer command")
        .contains("an external tracker runs alone");
  }

  @Test
  void aTrackerThatCannotStartExits1WithTheReason() {
    assertThat(Main.execute("run", "TrackerVerticle", "-conf", "{\"port\": 99999}")).isEqualTo(1);
    assertThat(output()).contains("port must be in 0..65535");
  }

  @Test
  void aClusterNodeWithBadClusterOptionsExits1WithTheReason() {
    assertThat(
            Main.execute("run", "TrackerVerticle", "-cluster", "-conf", "{\"clusterHost\": \" \"}"))
        .isEqualTo(1);
    assertThat(output()).contains("clusterHost must not be empty");
    assertThat(Main.execute("tracker", "127.0.0.1", "0", "--cluster", "--cluster-port", "99999"))
        .isEqualTo(1);
    assertThat(output()).contains("clusterPort must be in 1..65535");
  }

  @Test
  void demoConverges() {
    assertThat(Main.execute("demo", "--timeout", "60s")).isZero();
    assertThat(output())
        .contains("Waiting for connections on port")
        .contains("== converged: all three folders are identical")
        .containsPattern("Peer3:\\s+fileA.txt.*\\s+fileB.txt.*\\s+fileC.txt");
  }

  @Test
  void simulateConvergesAndWritesItsReport(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThat(
            Main.execute(
                "simulate",
                "--peers",
                "4",
                "--files-per-peer",
                "2",
                "--size",
                "256KiB",
                "--faults",
                "stall,cut,crash",
                "--duration",
                "2s",
                "--seed",
                "5",
                "--report",
                dir.toString()))
        .isZero();
    assertThat(output()).contains("0/4 converged").contains("== converged | 4 peers");
    assertThat(dir.resolve("report.json")).exists();
    assertThat(dir.resolve("report.html")).exists();
  }
}
