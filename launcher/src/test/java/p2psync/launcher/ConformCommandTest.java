package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformCommandTest extends ConsoleCapture {
  @TempDir Path reports;

  @Test
  void conformTrackerOnThePythonStandInExits0AndWritesTheReport()
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS),
        "python3 is not installed: conform tracker on the Python stand-in not tested");
    Path tracker = Paths.get("..", "interop", "python", "tracker.py").toAbsolutePath();
    int code =
        Main.execute(
            "conform",
            "tracker",
            "--command",
            "python3 '" + tracker + "' {host} {port}",
            "--leave-wait",
            "1s",
            "--report",
            reports.toString());
    assertThat(code).as(output()).isZero();
    assertThat(output()).contains("T1 ").contains("T10").contains("report.json");
    assertThat(reports.resolve("report.json")).exists();
  }

  @Test
  void conformPeerOnThePythonStandInExits0WithTheIssuesRelativeCommand()
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS),
        "python3 is not installed: conform peer on the Python stand-in not tested");
    // the command as a reader types it at the repository's root: --cwd says where that is
    int code =
        Main.execute(
            "conform",
            "peer",
            "--command",
            "python3 interop/python/fileSynchronizer.py {host} {port}",
            "--cwd",
            "..",
            "--env",
            "SEED_KEEPALIVE_SECONDS=1",
            "--env",
            "SEED_PEER_TIMEOUT_SECONDS=2",
            "--keepalive",
            "1s",
            "--keepalive-tolerance",
            "800ms",
            "--transfer-wait",
            "10s",
            "--stall-wait",
            "15s",
            "--reconnect-wait",
            "10s",
            "--report",
            reports.toString());
    assertThat(code).as(output()).isZero();
    assertThat(output()).contains("P1 ").contains("P21").contains("report.json");
    assertThat(reports.resolve("report.json")).exists();
  }
}
