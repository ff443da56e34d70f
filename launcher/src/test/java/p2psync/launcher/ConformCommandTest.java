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
}
