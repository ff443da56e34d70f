package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  PrintStream savedOut;
  PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  @Test
  void helpOnEveryBenchmark() {
    for (String kind : new String[] {"transfer", "tracker", "convergence", "small-files"}) {
      assertThat(Main.execute("bench", kind, "--help")).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: p2psync bench " + kind);
    }
    assertThat(Main.execute("bench")).isEqualTo(2);
  }

  @Test
  void aTinyTransferRunsFromTheCommandLine() {
    assertThat(Main.execute("bench", "transfer", "--size", "256k", "--repeat", "1", "--dir", dir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("machine:").contains("ratio p2p/copy");
  }
}
