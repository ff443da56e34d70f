package p2psync.conform;

import static org.assertj.core.api.Assertions.assertThat;
import static p2psync.conform.Reports.failed;
import static p2psync.conform.Reports.find;
import static p2psync.simulation.PythonStandIns.INTEROP;
import static p2psync.simulation.PythonStandIns.assumePython;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker kit against our tracker, the Python stand-in and deliberately broken variants: a
 * conforming tracker passes every required case, a broken one fails exactly the case it breaks.
 */
class ConformTrackerTest {
  private static final Path BROKEN =
      Paths.get("src", "test", "resources", "conform", "broken_tracker.py").toAbsolutePath();

  /** Short waits: the leave case reports, it does not wait out the course's 180 s. */
  private static final TrackerProbe.Timeouts FAST =
      new TrackerProbe.Timeouts(
          Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(2));

  @TempDir Path reports;

  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  private ConformReport run(String command) throws IOException {
    ConformRunner.Options options =
        new ConformRunner.Options(
            command, "127.0.0.1", null, Duration.ofSeconds(20), reports, FAST);
    return ConformRunner.runTracker(
        options, new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  @Test
  void ourTrackerPassesEveryCase() throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ConformReport report =
        run(
            "'"
                + java
                + "' -cp '"
                + System.getProperty("java.class.path")
                + "' "
                + OurTrackerMain.class.getName()
                + " {host} {port}");
    assertThat(report.error()).isNull();
    assertThat(report.cases()).hasSize(TrackerCases.all().size());
    assertThat(failed(report)).isEmpty();
    assertThat(report.exitCode()).isZero();
    assertThat(find(report, "T4").evidence()).contains("lowest address");
    assertThat(find(report, "T5").evidence()).contains("left");
    // the table and the file say the same
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("T10").contains("report.json");
    ConformReport written = ConformReport.read(reports.resolve("report.json"));
    assertThat(written.cases()).hasSize(report.cases().size());
    assertThat(written.exitCode()).isZero();
    assertThat(reports.resolve("report.html"))
        .content(StandardCharsets.UTF_8)
        .contains("p2psync conform tracker")
        .contains("every required case passed")
        .contains("<tr id=\"T10\">");
  }

  @Test
  void thePythonStandInPassesEveryRequiredCase() throws IOException {
    assumePython("the kit on Python trackers");
    ConformReport report = run("python3 '" + INTEROP.resolve("tracker.py") + "' {host} {port}");
    assertThat(report.requiredFailed()).as(console.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(report.exitCode()).isZero();
    assertThat(find(report, "T4").evidence()).contains("first seen");
    // the course keeps a gone peer's files ~180 s: reported, never fails the run
    assertThat(failed(report)).containsExactly("T5");
  }

  @Test
  void aTrackerWithCompactSeparatorsFailsOnlyTheJsonFormCase() throws IOException {
    assumePython("the kit on Python trackers");
    ConformReport report = run(broken("compact"));
    assertThat(failed(report)).containsExactly("T1", "T5");
    assertThat(find(report, "T1").evidence()).contains("not json.dumps form");
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void aTrackerThatKeepsTheFirstMtimeFailsOnlyNewestWins() throws IOException {
    assumePython("the kit on Python trackers");
    ConformReport report = run(broken("first-mtime"));
    assertThat(failed(report)).containsExactly("T3", "T5");
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void aProgramThatNeverListensFailsTheRunWithItsReason() throws IOException {
    assumePython("the kit on Python trackers");
    ConformReport report = run("python3 -c 'import sys; sys.exit(3)' {host} {port}");
    assertThat(report.error()).contains("exited with code 3");
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(Files.exists(reports.resolve("report.json"))).isTrue();
  }

  private String broken(String variant) {
    return "python3 '" + BROKEN + "' " + variant + " '" + INTEROP + "' {host} {port}";
  }
}
