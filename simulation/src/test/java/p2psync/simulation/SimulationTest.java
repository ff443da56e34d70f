package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static p2psync.simulation.TestSupport.await;

import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.simulation.toxiproxy.EmbeddedToxiproxy;

/** The simulation's parts and backends; the convergence matrix covers the faults at scale. */
@ExtendWith(VertxExtension.class)
class SimulationTest {
  @TempDir Path dir;

  private static SimulationOptions small(String toxiproxy, Set<Fault> faults) {
    return new SimulationOptions()
        .peers(4)
        .filesPerPeer(2)
        .maxFileSize(64 * 1024)
        .faults(faults)
        .duration(Duration.ofMillis(2_500))
        .seed(7)
        .toxiproxy(toxiproxy)
        .sync(
            SimulationOptions.shrunkTimings()
                .setKeepAliveInterval(Duration.ofMillis(250))
                .setTransferIdleTimeout(Duration.ofMillis(800)));
  }

  @Test
  void aToxiproxyAtAUrlRunsTheSameSimulationAndKeepsNoProxyAfterwards(Vertx vertx)
      throws Exception {
    EmbeddedToxiproxy other = await(EmbeddedToxiproxy.start(vertx, "127.0.0.1", 0));
    SimulationReport report =
        Simulation.run(
            small(
                "http://127.0.0.1:" + other.port(),
                EnumSet.of(Fault.STALL, Fault.CUT, Fault.CRASH)),
            s -> {});

    assertThat(report.converged()).as(report.summary()).isTrue();
    assertThat(report.toxiproxy()).contains("at 127.0.0.1:" + other.port());
    assertThat(report.transfersFailed()).as("stalled transfers time out").isPositive();
    assertThat(new ToxiproxyClient("127.0.0.1", other.port()).getProxies()).isEmpty();
  }

  @Test
  void whereDockerCannotRunTheToxiproxyTheDockerBackendFailsAtOnceSayingWhy() {
    Optional<String> unavailable = DockerToxiproxy.unavailableReason();
    Assumptions.assumeTrue(
        unavailable.isPresent(),
        "the docker backend can run here: dockerBackendConverges tests it");
    long start = System.nanoTime();
    assertThatThrownBy(() -> ToxiproxyBackend.open(SimulationOptions.DOCKER, null).close())
        .isInstanceOf(IOException.class)
        .hasMessage("--toxiproxy docker: " + unavailable.get());
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("no pull, no wait")
        .isLessThan(Duration.ofSeconds(10));
  }

  /** On the host's network: tests send traffic to loopback only, never to a bridge's addresses. */
  @Test
  void dockerBackendConverges() throws Exception {
    assumeDockerBackendRuns();
    SimulationReport report =
        Simulation.run(small(SimulationOptions.DOCKER_HOST, EnumSet.allOf(Fault.class)), s -> {});
    assertThat(report.converged()).as(report.summary()).isTrue();
    assertThat(report.toxiproxy())
        .contains(DockerToxiproxy.IMAGE, "on the host's network at 127.0.0.1:");
  }

  /** Skips the calling test, saying why, where the docker backend cannot start without a pull. */
  static void assumeDockerBackendRuns() {
    Optional<String> unavailable = DockerToxiproxy.unavailableReason();
    Assumptions.assumeTrue(
        unavailable.isEmpty(),
        () ->
            "docker backend ("
                + DockerToxiproxy.IMAGE
                + ") not tested here: "
                + unavailable.orElseThrow());
  }

  @Test
  void theReportIsWrittenAsJsonAndSelfContainedHtml() throws Exception {
    SimulationReport report =
        Simulation.run(
            small(SimulationOptions.EMBEDDED, EnumSet.of(Fault.LATENCY, Fault.CHURN)), s -> {});
    report.writeTo(dir.resolve("out"));

    String json = Files.readString(dir.resolve("out/report.json"));
    assertThat(
            io.vertx.core.json.JsonObject.of()
                .mergeIn(new io.vertx.core.json.JsonObject(json))
                .getBoolean("converged"))
        .isTrue();
    assertThat(json)
        .contains("\"timeline\"", "\"windows\"", "\"bytesMoved\"", "\"fault\" : \"churn\"");
    String html = Files.readString(dir.resolve("out/report.html"));
    assertThat(html)
        .contains("<svg", "<polyline", "latency", "churn")
        .doesNotContain("<script", "src=\"http");
    assertThat(html).containsPattern("<td>\\d+(\\.\\d+)? (B|KiB|MiB)</td><td>(yes|no)</td>");
    // The dashboard's grid for the final state, its columns named after the peers.
    assertThat(html).contains("Final state: names x peers", "<td class=\"cell current\">");
    assertThat(report.trackerStatus().getJsonArray("peers"))
        .isNotEmpty()
        .allSatisfy(
            peer ->
                assertThat(((io.vertx.core.json.JsonObject) peer).getString("label"))
                    .doesNotContain(":"));
    assertThat(json).contains("\"trackerStatus\"");
    assertThat(ReportHtml.size(512)).isEqualTo("512 B");
    assertThat(ReportHtml.size(12_800)).isEqualTo("12.5 KiB");
    assertThat(ReportHtml.size(3 * 1048576 + 262_144)).isEqualTo("3.25 MiB");
    assertThat(report.peerSummaries())
        .extracting(SimulationReport.PeerSummary::role)
        .contains("joins late", "leaves");
  }

  @Test
  void thePlanFollowsTheSeedAndEachFaultKeepsItsWindowsInAnyCombination() {
    Duration span = Duration.ofSeconds(10);
    Duration idle = Duration.ofSeconds(1);
    FaultPlan all = FaultPlan.draw(42, 12, 3, EnumSet.allOf(Fault.class), span, idle);
    assertThat(FaultPlan.draw(42, 12, 3, EnumSet.allOf(Fault.class), span, idle).windows())
        .isEqualTo(all.windows());
    assertThat(FaultPlan.draw(43, 12, 3, EnumSet.allOf(Fault.class), span, idle).windows())
        .isNotEqualTo(all.windows());
    for (Fault fault : Fault.values()) {
      List<FaultPlan.Window> alone =
          FaultPlan.draw(42, 12, 3, EnumSet.of(fault), span, idle).windows();
      assertThat(alone)
          .isNotEmpty()
          .allSatisfy(w -> assertThat(w.endMillis()).isLessThanOrEqualTo(span.toMillis()));
      assertThat(withoutIds(alone))
          .isEqualTo(withoutIds(all.windows().stream().filter(w -> w.fault() == fault).toList()));
    }
    // a single tracker has no cluster to crash a node of or to partition; the rest is the same
    FaultPlan single = FaultPlan.draw(42, 12, EnumSet.allOf(Fault.class), span, idle);
    assertThat(withoutIds(single.windows()))
        .isEqualTo(
            withoutIds(
                all.windows().stream()
                    .filter(w -> w.fault() != Fault.TRACKER_CRASH && w.fault() != Fault.PARTITION)
                    .toList()));
    assertThat(all.windows())
        .filteredOn(w -> w.fault() == Fault.TRACKER_CRASH)
        .singleElement()
        .satisfies(w -> assertThat(w.target()).matches("tracker(-[23])?"));
    assertThat(all.windows())
        .filteredOn(w -> w.fault() == Fault.STALL)
        .allSatisfy(
            w ->
                assertThat(w.endMillis() - w.startMillis())
                    .isGreaterThanOrEqualTo(2 * idle.toMillis()));
  }

  private static List<String> withoutIds(List<FaultPlan.Window> windows) {
    return windows.stream()
        .map(
            w ->
                w.fault()
                    + " "
                    + w.peer()
                    + " "
                    + w.startMillis()
                    + " "
                    + w.endMillis()
                    + " "
                    + w.level())
        .sorted()
        .toList();
  }

  @Test
  void faultNamesParse() {
    assertThat(Fault.parseList("latency, drop,tracker-restart"))
        .containsExactlyInAnyOrder(Fault.LATENCY, Fault.DROP, Fault.TRACKER_RESTART);
    assertThat(Fault.parseList("none")).isEmpty();
    assertThat(Fault.parseList("all")).containsExactlyInAnyOrder(Fault.values());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fault.parseList("latency,flood"))
        .hasMessageContaining("unknown fault 'flood'");
  }

  @Test
  void theCheckerFlagsAPartialFileUnderARealNameAndAnythingOutsideTheFolders() throws Exception {
    Workload workload = Workload.generate(3, 2, 2, 4096, Set.of());
    Path folder = Files.createDirectories(dir.resolve("peer-01"));
    Map.Entry<String, Workload.Version> file =
        workload.winners().entrySet().stream()
            .filter(e -> e.getValue().bytes().length > 1)
            .findFirst()
            .orElseThrow();
    byte[] bytes = file.getValue().bytes();
    Files.write(folder.resolve(file.getKey()), Arrays.copyOf(bytes, bytes.length / 2));
    Files.writeString(dir.resolve("stray.txt"), "written outside every folder");
    ConvergenceChecker checker = new ConvergenceChecker(workload, dir);

    assertThat(checker.sample(folder)).isFalse();
    assertThat(checker.violations()).singleElement().asString().contains("a partial or mixed file");
    assertThat(checker.finalCheck(List.of(folder), List.of(folder)))
        .anySatisfy(p -> assertThat(p).contains("outside the peers' folders: stray.txt"))
        .anySatisfy(p -> assertThat(p).contains("missing"));
  }
}
