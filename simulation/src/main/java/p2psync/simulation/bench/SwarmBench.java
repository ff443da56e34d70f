package p2psync.simulation.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.simulation.Blocking;
import p2psync.simulation.Swarm;

/**
 * Swarm convergence in one JVM ({@link Swarm}: a tracker and N peers in one Vert.x): every peer's
 * folder starts with its own files; the clock starts when the last peer has been deployed and stops
 * when every folder holds every file (same names, sizes, mtimes, no temp file). Contents are then
 * checked by SHA-256, outside the timed part. Two shapes: many peers with a few files each ({@code
 * convergence}), and one peer with many small files joining a few others ({@code small-files}).
 */
public final class SwarmBench {

  /** {@code filesPerPeer[i]} files of {@code fileSize} bytes in peer i's folder. */
  public record Options(
      String kind,
      int[] filesPerPeer,
      int fileSize,
      Duration keepAlive,
      Path dir,
      Duration timeout) {

    public static Options convergence(
        int peers, int filesEach, int fileSize, Duration keepAlive, Path dir, Duration timeout) {
      int[] files = new int[peers];
      java.util.Arrays.fill(files, filesEach);
      return new Options("convergence", files, fileSize, keepAlive, dir, timeout);
    }

    public static Options smallFiles(
        int files, int others, int fileSize, Duration keepAlive, Path dir, Duration timeout) {
      int[] perPeer = new int[others + 1];
      perPeer[others] = files; // the holder joins last
      return new Options("small-files", perPeer, fileSize, keepAlive, dir, timeout);
    }
  }

  /** What was measured; seconds from the last join to identical folders. */
  public record Result(
      Options options,
      int totalFiles,
      long totalBytes,
      double convergeSeconds,
      long replyBytes,
      long downloads,
      long failedDownloads,
      long rssPeak,
      boolean contentsVerified) {

    public double keepAliveIntervals() {
      return convergeSeconds / (options.keepAlive().toMillis() / 1000.0);
    }

    public void print(PrintStream out) {
      out.printf(
          "%s: %d peers, %d distinct files of %d bytes (%s per folder once converged)%n",
          options.kind(),
          options.filesPerPeer().length,
          totalFiles,
          options.fileSize(),
          ProcStats.mib(totalBytes));
      out.printf(
          "  converged %.2f s after the last join = %.2f keepalive intervals of %s%n",
          convergeSeconds, keepAliveIntervals(), options.keepAlive());
      out.printf(
          "  tracker directory line at the end: %d bytes; downloads %d (failed %d); contents %s;"
              + " process peak RSS %s%n",
          replyBytes,
          downloads,
          failedDownloads,
          contentsVerified ? "identical (SHA-256)" : "NOT identical",
          ProcStats.mib(rssPeak));
    }
  }

  private SwarmBench() {}

  public static Result run(Options options, PrintStream out) throws Exception {
    Path root = Files.createTempDirectory(options.dir(), "p2psync-bench-" + options.kind() + "-");
    Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(10_000));
    SyncConfig config = new SyncConfig().setKeepAliveInterval(options.keepAlive());
    Swarm swarm = new Swarm(vertx, root, config);
    try {
      Blocking.await(swarm.startTracker(0), Duration.ofSeconds(30));
      Random random = new Random(7);
      long mtime = 1_700_000_000L;
      Map<String, Long> expected = new TreeMap<>();
      int[] perPeer = options.filesPerPeer();
      out.printf("writing %d peer folders under %s ...%n", perPeer.length, root);
      for (int p = 0; p < perPeer.length; p++) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int f = 0; f < perPeer[p]; f++) {
          byte[] content = new byte[options.fileSize()];
          random.nextBytes(content);
          String name = String.format("p%03d-f%05d.bin", p, f);
          files.put(name, content);
          expected.put(name, (long) options.fileSize());
        }
        Swarm.Peer peer = swarm.addPeer(String.format("peer%03d", p), files);
        for (String name : files.keySet()) {
          Files.setLastModifiedTime(
              peer.folder().resolve(name),
              java.nio.file.attribute.FileTime.from(mtime, java.util.concurrent.TimeUnit.SECONDS));
        }
      }
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      out.printf("starting %d peers ...%n", perPeer.length);
      for (Swarm.Peer peer : swarm.peers()) {
        Blocking.await(swarm.startPeer(peer), Duration.ofSeconds(30));
      }
      long lastJoin = System.nanoTime();
      long done =
          Blocking.waitFor(
              () -> allHold(swarm, expected, mtime),
              Duration.ofMillis(20),
              options.timeout(),
              "identical folders");
      double seconds = (done - lastJoin) / 1e9;
      long replyBytes = swarm.tracker().directoryLine().length() + 1L;
      long downloads = 0;
      long failed = 0;
      for (Swarm.Peer peer : swarm.peers()) {
        downloads += peer.verticle().transfers().completed();
        failed += peer.verticle().transfers().failed();
      }
      boolean identical = swarm.isConverged();
      return new Result(
          options,
          expected.size(),
          expected.size() * (long) options.fileSize(),
          seconds,
          replyBytes,
          downloads,
          failed,
          ProcStats.selfStatusBytes("VmHWM"),
          identical);
    } finally {
      Bench.stop(swarm, vertx, root);
    }
  }

  /**
   * Cheap check (names, sizes, mtimes, no temp file), polled: hashing every folder each time would
   * dominate.
   */
  private static boolean allHold(Swarm swarm, Map<String, Long> expected, long mtime) {
    for (Swarm.Peer peer : swarm.peers()) {
      int count = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(peer.folder())) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString();
          if (FileNames.isTempName(name)) {
            return false;
          }
          Long size = expected.get(name);
          if (size == null) {
            continue;
          }
          BasicFileAttributes attrs =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.size() != size
              || Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L) != mtime) {
            return false;
          }
          count++;
        }
      } catch (IOException e) {
        return false;
      }
      if (count != expected.size()) {
        return false;
      }
    }
    return true;
  }
}
