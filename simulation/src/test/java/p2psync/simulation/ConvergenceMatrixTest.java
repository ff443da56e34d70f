package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * The convergence matrix: peers x fault profile, each cell a whole simulation through the embedded
 * Toxiproxy that must converge with every invariant kept. The default matrix is sized for CI (a few
 * minutes on 2 cores, small files, shrunk timings); {@code -Dsim.matrix=full} runs more peers,
 * every fault alone, bigger files and longer fault phases.
 */
class ConvergenceMatrixTest {
  private static final boolean FULL = "full".equals(System.getProperty("sim.matrix"));

  static Stream<Arguments> cells() {
    List<Integer> peers = FULL ? List.of(3, 12, 30, 50) : List.of(3, 12, 30);
    List<String> profiles =
        FULL
            ? Stream.concat(Stream.of("none", "all"), Stream.of(Fault.values()).map(Fault::cliName))
                .toList()
            : List.of("none", "latency", "drop", "reset", "stall", "tracker-restart", "all");
    // and the tracker cluster's rows: 3 nodes, a node killed, or every fault at once
    Stream<Arguments> cluster =
        Stream.of("tracker-crash", "all").map(profile -> Arguments.of(12, 3, profile));
    return Stream.concat(
        peers.stream().flatMap(n -> profiles.stream().map(profile -> Arguments.of(n, 1, profile))),
        cluster);
  }

  @ParameterizedTest(name = "{0} peers, {1} tracker(s), faults: {2}")
  @MethodSource("cells")
  void peersConvergeAndKeepEveryInvariant(int peers, int trackers, String profile)
      throws Exception {
    runCell(peers, trackers, profile, SimulationOptions.EMBEDDED);
  }

  /**
   * The sync rows: users edit, delete and edit concurrently during the faults (v2 peers); the
   * folders must end identical with no version lost.
   */
  @ParameterizedTest(name = "{0} peers, faults: {1}, users editing and deleting")
  @MethodSource("syncCells")
  void peersWhoseUsersEditAndDeleteConvergeAndLoseNoVersion(int peers, String profile)
      throws Exception {
    runCell(peers, 1, profile, SimulationOptions.EMBEDDED, EnumSet.allOf(WorkloadEvent.class));
  }

  /**
   * Users editing and deleting with no fault but latency, and under every fault at once (transfers
   * cut, peers crashed, the tracker restarted) with 12 peers: the cell that found issue 11's
   * convergence bugs (a name a delta never named again, a download's hash taken for a save), now in
   * the default matrix too, at its smaller files and shorter fault phase.
   */
  static Stream<Arguments> syncCells() {
    return Stream.of(Arguments.of(3, "latency"), Arguments.of(12, "all"));
  }

  /**
   * The same cells through the real Toxiproxy binary ({@code --toxiproxy http://127.0.0.1:PORT}):
   * the URL backend, and our peers under the genuine toxics. Skipped, with the reason, where the
   * binary does not run ({@link RealToxiproxy}).
   */
  @ParameterizedTest(name = "real Toxiproxy: 12 peers, faults: {0}")
  @ValueSource(strings = {"latency", "drop", "reset", "stall"})
  void peersConvergeThroughTheRealToxiproxy(String profile) throws Exception {
    try (RealToxiproxy real = RealToxiproxy.startOrSkip()) {
      SimulationReport report = runCell(12, 1, profile, real.url());
      assertThat(report.toxiproxy()).startsWith("Toxiproxy 2.12.0 at ");
    }
  }

  /**
   * Two cells through a Toxiproxy container on the host's network ({@code --toxiproxy
   * docker-host}). Skipped, with the reason, where Docker or the image is missing (nothing is ever
   * pulled).
   */
  @ParameterizedTest(name = "Toxiproxy in Docker: 12 peers, faults: {0}")
  @ValueSource(strings = {"latency", "stall"})
  void peersConvergeThroughToxiproxyInDocker(String profile) throws Exception {
    SimulationTest.assumeDockerBackendRuns();
    SimulationReport report = runCell(12, 1, profile, SimulationOptions.DOCKER_HOST);
    assertThat(report.toxiproxy()).contains("in Docker");
  }

  private static SimulationReport runCell(int peers, int trackers, String profile, String toxiproxy)
      throws Exception {
    return runCell(peers, trackers, profile, toxiproxy, EnumSet.noneOf(WorkloadEvent.class));
  }

  private static SimulationReport runCell(
      int peers, int trackers, String profile, String toxiproxy, Set<WorkloadEvent> events)
      throws Exception {
    Set<Fault> faults = Fault.parseList(profile);
    SimulationReport report =
        Simulation.run(
            new SimulationOptions()
                .toxiproxy(toxiproxy)
                .peers(peers)
                .trackers(trackers)
                .filesPerPeer(FULL ? 4 : 2)
                .maxFileSize(FULL ? 1 << 20 : 48 * 1024)
                .faults(faults)
                .events(events)
                .duration(Duration.ofMillis(FULL ? 6_000 : 2_500))
                .convergeTimeout(Duration.ofSeconds(30))
                .seed(
                    peers * 1000L
                        + (trackers - 1) * 100L
                        + profile.hashCode()) // the single-tracker cells keep their seeds
                .sync(matrixTimings()),
            sample -> {});

    assertThat(report.violations()).as(report.summary()).isEmpty();
    assertThat(report.converged()).as(report.summary()).isTrue();
    Set<Fault> hitting = EnumSet.of(Fault.DROP, Fault.RESET, Fault.STALL);
    if (report.windows().stream()
        .anyMatch(
            w -> hitting.contains(w.fault()) && w.endMillis() < report.firstConvergedMillis())) {
      // the faults hit transfers: some failed (short body, reset, idle timeout) and were retried
      // (asked only where transfers went on past a whole window of such a fault: a swarm that
      // converges in 0.4 s may finish before a window ends, with nothing left to hit)
      assertThat(report.transfersFailed()).as(report.summary()).isPositive();
    }
    return report;
  }

  /**
   * Shorter still than the simulation's defaults, so that a stall times out within the fault phase.
   */
  private static SyncConfig matrixTimings() {
    return SimulationOptions.shrunkTimings()
        .setKeepAliveInterval(Duration.ofMillis(250))
        .setTransferIdleTimeout(Duration.ofMillis(800))
        .setConnectTimeout(Duration.ofSeconds(1))
        .setReconnectBackoffMin(Duration.ofMillis(50))
        .setReconnectBackoffMax(Duration.ofMillis(500));
  }
}
