package p2psync.peer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Makes a folder refuse new files: by permissions for a normal user, by the immutable attribute for
 * root (who ignores permissions). Skips the test, visibly, where neither works.
 */
final class Unwritable {
  private final Path folder;
  private final boolean immutable;

  private Unwritable(Path folder, boolean immutable) {
    this.folder = folder;
    this.immutable = immutable;
  }

  static Unwritable make(Path folder) throws IOException, InterruptedException {
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
    Unwritable guard = new Unwritable(folder, false);
    if (!canCreate(folder)) {
      return guard;
    }
    guard.undo();
    assumeTrue(run("chattr", "+i", folder.toString()), "cannot make a folder unwritable here");
    guard = new Unwritable(folder, true);
    if (canCreate(folder)) {
      guard.undo();
      assumeTrue(false, "cannot make a folder unwritable here");
    }
    return guard;
  }

  void undo() throws IOException, InterruptedException {
    if (immutable) {
      run("chattr", "-i", folder.toString());
    } else {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static boolean canCreate(Path folder) {
    try {
      Files.delete(Files.createTempFile(folder, "probe", ".tmp"));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean run(String... command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
