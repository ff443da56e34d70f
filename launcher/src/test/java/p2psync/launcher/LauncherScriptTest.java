package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import p2psync.simulation.bench.TrackerMain;

/** The {@code ./p2psync} script and the benchmark give a tracker the same JVM options. */
class LauncherScriptTest {
  @Test
  void theTrackerBenchmarkRunsTheTrackerWithTheScriptsJvmOptions() throws Exception {
    String script = Files.readString(Path.of("..", "p2psync"));
    assertThat(script).contains("tracker_jvm_options=\"" + TrackerMain.LAUNCHER_JVM_OPTIONS + "\"");
  }
}
