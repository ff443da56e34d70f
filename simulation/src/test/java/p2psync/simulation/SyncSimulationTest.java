package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.FileNames;

/**
 * Users editing, deleting and editing concurrently during the faults: v2 peers end identical and
 * lose no version; and the checker of that invariant does catch a lost version.
 */
class SyncSimulationTest {
  @TempDir Path dir;

  @Test
  void editsDeletionsAndConcurrentEditsUnderFaultsConvergeAndLoseNoVersion() throws Exception {
    SimulationReport report =
        Simulation.run(
            new SimulationOptions()
                .peers(5)
                .filesPerPeer(3)
                .maxFileSize(64 * 1024)
                .faults(EnumSet.of(Fault.LATENCY, Fault.DROP, Fault.RESET, Fault.CRASH))
                .events(EnumSet.allOf(WorkloadEvent.class))
                .duration(Duration.ofSeconds(4))
                .convergeTimeout(Duration.ofSeconds(40))
                .seed(11)
                .sync(
                    SimulationOptions.shrunkTimings()
                        .setKeepAliveInterval(Duration.ofMillis(250))
                        .setTransferIdleTimeout(Duration.ofMillis(800))),
            s -> {});
    assertThat(report.converged()).as(report.summary()).isTrue();
    assertThat(report.violations()).isEmpty();
    assertThat(report.faults()).contains("events edit,delete,concurrent-edit");
  }

  @Test
  void theCheckerReportsALostVersionButNotOneAUserDestroyed() throws Exception {
    Path a = Files.createDirectories(dir.resolve("peer-01"));
    Path b = Files.createDirectories(dir.resolve("peer-02"));
    Workload workload = Workload.generate(3, 2, 2, 1024, Set.of());
    for (int i = 0; i < 2; i++) {
      Path folder = i == 0 ? a : b;
      workload.folder(i).forEach((name, v) -> write(folder.resolve(name), v.bytes()));
    }
    EventRunner users = new EventRunner(workload, List.of(a, b), 2);
    ConvergenceChecker checker = new ConvergenceChecker(workload, users, dir);
    // the users edit a file at peer-01 (the old version only there: they destroy it), then a
    // "sync" deletes every copy of one of peer-02's files
    var before = FolderState.of(a).files();
    users.run(new EventPlan.Event(0, WorkloadEvent.EDIT, 0, -1, 0, 42));
    var after = FolderState.of(a).files();
    String edited =
        before.keySet().stream().filter(n -> !before.get(n).equals(after.get(n))).findFirst().get();
    String lost =
        workload.folder(1).keySet().stream().filter(n -> !n.equals(edited)).findFirst().get();
    String lostSha = workload.folder(1).get(lost).content().sha256().substring(0, 12);
    Files.delete(b.resolve(lost));

    List<String> problems = checker.finalCheck(List.of(a), List.of(a, b));
    assertThat(problems).anyMatch(p -> p.startsWith("a version was lost") && p.contains(lostSha));
    assertThat(problems).noneMatch(p -> p.contains(before.get(edited).sha256().substring(0, 12)));
  }

  /**
   * A v2 peer stopped mid-download (the crash fault) keeps its prefixes in {@code
   * .p2psync-state/partials/}: part of its hidden state, as the trash is; any other folder there is
   * still reported.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"partials, false", "trash, false", "other, true"})
  void theCheckerKnowsTheHiddenStateFolders(String stateFolder, boolean reported) throws Exception {
    Path a = Files.createDirectories(dir.resolve("peer-01"));
    Path inside = Files.createDirectories(a.resolve(FileNames.STATE_DIR).resolve(stateFolder));
    Files.writeString(inside.resolve("0123.part"), "prefix");
    Workload workload = Workload.generate(3, 1, 1, 1024, Set.of());
    ConvergenceChecker checker =
        new ConvergenceChecker(workload, new EventRunner(workload, List.of(a), 1), dir);

    List<String> problems = checker.finalCheck(List.of(a), List.of(a));

    assertThat(problems.stream().anyMatch(p -> p.contains("not a regular file")))
        .as(problems.toString())
        .isEqualTo(reported);
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
