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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer kit against our peer (as an external process), the Python stand-in and deliberately
 * broken variants: a conforming peer passes every required case, a broken one fails exactly the
 * case it breaks.
 */
class ConformPeerTest {
  private static final Path BROKEN =
      Paths.get("src", "test", "resources", "conform", "broken_peer.py").toAbsolutePath();

  /**
   * The kit's waits shrunk to what the programs under test are told: KeepAlive every second, a
   * stalled source given up on within seconds (the stand-in is told a 2 s socket timeout).
   */
  private static final PeerProbe.Timings FAST =
      new PeerProbe.Timings(
          Duration.ofSeconds(1),
          Duration.ofMillis(800),
          Duration.ofSeconds(8),
          Duration.ofMillis(500),
          Duration.ofSeconds(15),
          Duration.ofSeconds(15),
          Duration.ofMillis(1),
          Duration.ofMillis(200));

  /** Our peer's timings to match: its KeepAlive, and its idle timeout for the stalled source. */
  private static final String OUR_SYNC =
      "{\"keepAliveInterval\": \"1s\", \"transferIdleTimeout\": \"2s\"}";

  private static final Map<String, String> PYTHON_ENV =
      Map.of("SEED_KEEPALIVE_SECONDS", "1", "SEED_PEER_TIMEOUT_SECONDS", "2");

  @TempDir Path reports;

  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  private ConformReport run(String command, Map<String, String> env) throws IOException {
    ConformRunner.PeerOptions options =
        new ConformRunner.PeerOptions(
            command,
            "127.0.0.1",
            Path.of(""),
            env,
            Duration.ofSeconds(30),
            reports,
            FAST,
            6,
            false);
    return ConformRunner.runPeer(options, new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  private String console() {
    return console.toString(StandardCharsets.UTF_8);
  }

  @Test
  void ourPeerPassesEveryCase() throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ConformReport report =
        run(
            "'"
                + java
                + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path")
                + "' "
                + OurPeerMain.class.getName()
                + " {host} {port} '"
                + OUR_SYNC
                + "'",
            Map.of());
    assertThat(report.error()).as(console()).isNull();
    assertThat(report.cases()).hasSize(PeerCases.all().size());
    assertThat(failed(report)).as(console()).isEmpty();
    assertThat(report.exitCode()).isZero();
    assertThat(find(report, "P21").evidence()).contains("reconnected");
    assertThat(find(report, "P15").result()).isEqualTo(Verdict.NOT_APPLICABLE);
    // the table and the file say the same
    assertThat(console()).contains("P21").contains("report.json");
    ConformReport written = ConformReport.read(reports.resolve("report.json"));
    assertThat(written.cases()).hasSize(report.cases().size());
    assertThat(written.exitCode()).isZero();
    assertThat(reports.resolve("report.html"))
        .content(StandardCharsets.UTF_8)
        .contains("every required case passed")
        .contains("<tr id=\"P21\">")
        .contains("request &quot;fileB.txt&quot;");
  }

  @Test
  void thePythonStandInPassesEveryRequiredCase() throws IOException {
    assumePython("the kit on Python peers");
    ConformReport report =
        run("python3 '" + INTEROP.resolve("fileSynchronizer.py") + "' {host} {port}", PYTHON_ENV);
    assertThat(report.requiredFailed()).as(console()).isZero();
    assertThat(report.exitCode()).isZero();
    assertThat(find(report, "P21").evidence()).contains("exited");
    // the stand-in takes any name a tracker lists: reported, never fails the run
    assertThat(failed(report)).as(console()).containsExactly("P10");
  }

  @Test
  void aPeerThatDropsBytesArrivingWithTheHeaderFailsOnlyTheOneSegmentCase() throws IOException {
    assumePython("the kit on Python peers");
    ConformReport report = run(broken("drop-segment"), PYTHON_ENV);
    assertThat(failed(report)).as(console()).containsExactly("P10", "P11");
    assertThat(find(report, "P11").evidence()).contains("not pulled exactly");
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(reports.resolve("report.html"))
        .content(StandardCharsets.UTF_8)
        .contains("FAILED")
        .contains("fail (not required)");
    // a failed case keeps its folder and the program's output as evidence; a passed one does not
    assertThat(reports.resolve("cases/P11/program.log")).exists();
    assertThat(reports.resolve("cases/P1/folder")).doesNotExist();
  }

  @Test
  void aPeerThatDoesNotSetTheMtimeFailsOnlyTheMtimeCase() throws IOException {
    assumePython("the kit on Python peers");
    ConformReport report = run(broken("no-utime"), PYTHON_ENV);
    assertThat(failed(report)).as(console()).containsExactly("P7", "P10");
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void aPeerThatNeverConnectsFailsEveryCaseWithItsReason() throws IOException {
    assumePython("the kit on Python peers");
    ConformReport report = run("python3 -c 'import sys; sys.exit(3)' {host} {port}", Map.of());
    assertThat(report.requiredFailed()).isEqualTo(report.cases().size() - 2);
    assertThat(find(report, "P1").evidence()).contains("exited with code 3", "started 2 times");
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(Files.exists(reports.resolve("report.json"))).isTrue();
  }

  private String broken(String variant) {
    return "python3 '" + BROKEN + "' " + variant + " '" + INTEROP + "' {host} {port}";
  }
}
