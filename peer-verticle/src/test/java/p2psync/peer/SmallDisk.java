package p2psync.peer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

/**
 * A tiny tmpfs mounted over a folder, to fill the disk for real. Skips, visibly, where mounting is
 * not allowed.
 */
final class SmallDisk {
  private final Path mountPoint;

  private SmallDisk(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  static SmallDisk mount(Path folder, String size) throws InterruptedException {
    assumeTrue(
        Unwritable.run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", folder.toString()),
        "cannot mount a tmpfs here (needs root): disk-full test skipped");
    return new SmallDisk(folder);
  }

  void unmount() throws InterruptedException {
    Unwritable.run("umount", "-l", mountPoint.toString());
  }
}
