package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest extends ConsoleCapture {
  @TempDir Path dir;

  @Test
  void helpOnEveryBenchmark() {
    for (String kind :
        new String[] {"transfer", "tracker", "convergence", "small-files", "propagation"}) {
      assertThat(Main.execute("bench", kind, "--help")).isZero();
      assertThat(output()).contains("Usage: p2psync bench " + kind);
    }
    assertThat(Main.execute("bench")).isEqualTo(2);
  }

  @Test
  void aTinyTransferRunsFromTheCommandLine() {
    assertThat(
            Main.execute(
                "bench", "transfer", "--size", "256k", "--repeat", "1", "--dir", dir.toString()))
        .isZero();
    assertThat(output()).contains("machine:").contains("ratio p2p/copy");
  }
}
