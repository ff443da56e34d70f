package p2psync.simulation;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The Python seed stand-ins in {@code interop/python}, for the tests that run them. */
public final class PythonStandIns {
  /** The folder of {@code tracker.py} and {@code fileSynchronizer.py}. */
  public static final Path INTEROP = Paths.get("..", "interop", "python").toAbsolutePath();

  private PythonStandIns() {}

  /** Skips the calling test, saying {@code what} is then not tested, where there is no python3. */
  public static void assumePython(String what) {
    boolean present;
    try {
      present = new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      present = false;
    }
    Assumptions.assumeTrue(present, "python3 is not installed: " + what + " not tested");
  }
}
