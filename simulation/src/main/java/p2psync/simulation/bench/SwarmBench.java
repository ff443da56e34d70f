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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * {@code filesPerPeer[i]} files of {@code fileSize} bytes in peer i's folder. {@code protocol}:
   * every peer's ({@code 2}: v2 peers). {@code holderFirst}: the last peer (the holder) starts
   * first, and, at protocol 2, has hashed its files before the others join: the clock then times
   * fresh peers joining a folder that is ready, not the holder's first hashing.
   */
  public record Options(
      String kind,
      int[] filesPerPeer,
      int fileSize,
      Duration keepAlive,
      Path dir,
      Duration timeout,
      int protocol,
      boolean holderFirst,
      int maxConcurrentDownloads) {

    public Options(
        String kind,
        int[] filesPerPeer,
        int fileSize,
        Duration keepAlive,
        Path dir,
        Duration timeout) {
      this(
          kind,
          filesPerPeer,
          fileSize,
          keepAlive,
          dir,
          timeout,
          1,
          false,
          SyncConfig.DEFAULT_MAX_CONCURRENT_DOWNLOADS);
    }

    public Options withProtocol(int protocol) {
      return new Options(
          kind,
          filesPerPeer,
          fileSize,
          keepAlive,
          dir,
          timeout,
          protocol,
          holderFirst,
          maxConcurrentDownloads);
    }

    public Options withHolderFirst(boolean holderFirst) {
      return new Options(
          kind,
          filesPerPeer,
          fileSize,
          keepAlive,
          dir,
          timeout,
          protocol,
          holderFirst,
          maxConcurrentDownloads);
    }

    /** Every peer's {@code maxConcurrentDownloads} (download connections). */
    public Options withMaxConcurrentDownloads(int maxConcurrentDownloads) {
      return new Options(
          kind,
          filesPerPeer,
          fileSize,
          keepAlive,
          dir,
          timeout,
          protocol,
          holderFirst,
          maxConcurrentDownloads);
    }

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
      double firstFileSeconds,
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
          "%s: %d peers, %d distinct files of %d bytes (%s per folder once converged), protocol %d,"
              + " maxConcurrentDownloads %d%s%n",
          options.kind(),
          options.filesPerPeer().length,
          totalFiles,
          options.fileSize(),
          ProcStats.mib(totalBytes),
          options.protocol(),
          options.maxConcurrentDownloads(),
          options.holderFirst() ? ", holder first" : "");
      out.printf(
          "  converged %.2f s after the last join = %.2f keepalive intervals of %s%n",
          convergeSeconds, keepAliveIntervals(), options.keepAlive());
      out.printf(
          "  first download done %.3f s after the last join; first to last file %.3f s%n",
          firstFileSeconds, convergeSeconds - firstFileSeconds);
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
    SyncConfig config =
        new SyncConfig()
            .setKeepAliveInterval(options.keepAlive())
            .setMaxConcurrentDownloads(options.maxConcurrentDownloads());
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
        peer.options().setProtocol(options.protocol());
        for (String name : files.keySet()) {
          Files.setLastModifiedTime(
              peer.folder().resolve(name),
              java.nio.file.attribute.FileTime.from(mtime, java.util.concurrent.TimeUnit.SECONDS));
        }
      }
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      out.printf("starting %d peers ...%n", perPeer.length);
      List<Swarm.Peer> order = new ArrayList<>(swarm.peers());
      if (options.holderFirst()) {
        Swarm.Peer holder = order.remove(order.size() - 1);
        Blocking.await(swarm.startPeer(holder), Duration.ofSeconds(30));
        int files = perPeer[perPeer.length - 1];
        Blocking.waitFor(
            () -> swarm.tracker().snapshot().nameCount() >= files,
            Duration.ofMillis(20),
            options.timeout(),
            "the holder's files in the tracker's directory");
        if (options.protocol() == 2) {
          Blocking.waitFor(
              () -> hashed(holder.folder(), files),
              Duration.ofMillis(20),
              options.timeout(),
              "the holder's hashes");
          // and at the tracker: else the fresh peer may be handed seed entries and fetch every
          // file the seed way (which the 1,000 x 4 KiB figures before session 5 did)
          Blocking.waitFor(
              () -> trackerHasHashes(swarm, files),
              Duration.ofMillis(20),
              options.timeout(),
              "the holder's hashes at the tracker");
        }
      }
      for (Swarm.Peer peer : order) {
        Blocking.await(swarm.startPeer(peer), Duration.ofSeconds(30));
      }
      long lastJoin = System.nanoTime();
      long[] firstFile = {0};
      long done =
          Blocking.waitFor(
              () -> {
                if (firstFile[0] == 0
                    && swarm.peers().stream()
                        .anyMatch(p -> p.verticle().transfers().completed() > 0)) {
                  firstFile[0] = System.nanoTime();
                }
                // Looking at every file of every folder every 5 ms cost this bench a core of the
                // two it measures on; a peer is not done before it completed a download of each
                // file it lacked (names are distinct per peer), which costs nothing to ask.
                return fetchedEnough(swarm, perPeer, expected.size())
                    && allHold(swarm, expected, mtime);
              },
              Duration.ofMillis(5),
              options.timeout(),
              "identical folders");
      double seconds = (done - lastJoin) / 1e9;
      double firstSeconds = ((firstFile[0] == 0 ? done : firstFile[0]) - lastJoin) / 1e9;
      // The line a joining peer gets: read once it names every file, as on a loaded machine the
      // tracker may be between expiring a late peer and hearing from it again.
      Blocking.waitFor(
          () -> swarm.tracker().snapshot().nameCount() >= expected.size(),
          Duration.ofMillis(5),
          options.timeout(),
          "every name in the tracker's directory");
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
          firstSeconds,
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
   * Whether a v2 peer's hash cache holds {@code files} entries: its last line is {@code end COUNT}
   * (docs/protocol-v2.md, Integrity), written when a hashing run ends.
   */
  private static boolean hashed(Path folder, int files) {
    try {
      List<String> lines =
          Files.readAllLines(folder.resolve(FileNames.STATE_DIR).resolve("hashes"));
      return !lines.isEmpty() && lines.get(lines.size() - 1).equals("end " + files);
    } catch (IOException e) {
      return false; // not written yet
    }
  }

  /** Whether a peer of the tracker advertised at least {@code files} files, every one hashed. */
  private static boolean trackerHasHashes(Swarm swarm, int files) {
    return Blocking.await(swarm.tracker().status(), Duration.ofSeconds(30)).peers().stream()
        .anyMatch(
            peer ->
                peer.files().size() >= files
                    && peer.files().stream().allMatch(p2psync.common.FileEntry::hasHash));
  }

  /** Whether each peer completed at least as many downloads as it lacked files at the start. */
  private static boolean fetchedEnough(Swarm swarm, int[] perPeer, int files) {
    List<Swarm.Peer> peers = swarm.peers();
    for (int p = 0; p < peers.size(); p++) {
      if (peers.get(p).verticle().transfers().completed() < files - perPeer[p]) {
        return false;
      }
    }
    return true;
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
