package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static p2psync.simulation.PythonStandIns.INTEROP;
import static p2psync.simulation.PythonStandIns.assumePython;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * External programs in the simulation: the Python stand-ins behind the same proxies as our peers,
 * judged by the same checker (issue 16). Skipped where there is no python3.
 */
class ExternalPartiesTest {

  /** The stand-ins' KeepAlive and expiry shrunk as the simulation shrinks ours. */
  private static final Map<String, String> PYTHON_ENV =
      Map.of("SEED_KEEPALIVE_SECONDS", "0.5", "SEED_EXPIRY_SECONDS", "3");

  private static SimulationOptions options(int peers, EnumSet<Fault> faults) {
    return new SimulationOptions()
        .peers(peers)
        .filesPerPeer(2)
        .maxFileSize(64 * 1024)
        .faults(faults)
        .duration(Duration.ofSeconds(3))
        .convergeTimeout(Duration.ofSeconds(60))
        .seed(16)
        .externalEnv(PYTHON_ENV);
  }

  @Test
  void threePythonPeersAmongSixOfOursConvergeUnderDropAndReset() throws Exception {
    assumePython("external parties");
    SimulationReport report =
        Simulation.run(
            options(9, EnumSet.of(Fault.DROP, Fault.RESET))
                .externalPeers(3)
                .peerCommand(
                    "python3 '" + INTEROP.resolve("fileSynchronizer.py") + "' {host} {port}"),
            s -> {});
    assertThat(report.converged()).as(report.summary()).isTrue();
    assertThat(report.peerSummaries())
        .extracting(SimulationReport.PeerSummary::party)
        .filteredOn(party -> party.startsWith("external: python3"))
        .hasSize(3);
    assertThat(report.peerSummaries().get(0).party()).isEqualTo("p2psync");
    assertThat(report.toJson().encode()).contains("\"party\":\"external: python3");
  }

  @Test
  void ourPeersConvergeAroundTheExternalPythonTrackerUnderReset() throws Exception {
    assumePython("external parties");
    SimulationReport report =
        Simulation.run(
            options(4, EnumSet.of(Fault.RESET))
                .externalPeers(1)
                .peerCommand(
                    "python3 '" + INTEROP.resolve("fileSynchronizer.py") + "' {host} {port}")
                .trackerCommand("python3 '" + INTEROP.resolve("tracker.py") + "' {host} {port}"),
            s -> {});
    assertThat(report.converged()).as(report.summary()).isTrue();
    assertThat(report.trackerStatus()).as("a seed tracker has no status API").isNull();
  }

  @Test
  void externalPeersWithoutACommandAreRefused() {
    SimulationOptions options = options(4, EnumSet.noneOf(Fault.class)).externalPeers(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Simulation.run(options, s -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("need a peer command");
  }
}
