package p2psync.simulation.bench;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.simulation.Blocking;
import p2psync.simulation.Swarm;

/**
 * How soon a change made in one folder is complete in the others (issue 11's target: within 1 s on
 * loopback for 3 v2 peers). A tracker and N peers in one JVM, converged; then, round after round,
 * peer 0's user writes a new file (to a temp file renamed into place, as editors do) and the clock
 * runs until every other folder holds it at its size; then deletes it (v2) and the clock runs until
 * it is gone everywhere. Without the tracker pushing changes, the others learn of one at their next
 * keepalive: the keepalive interval bounds the result, the watcher only removes the writer's wait.
 */
public final class PropagationBench {

  public record Options(
      int peers,
      int rounds,
      int fileSize,
      int protocol,
      Duration keepAlive,
      Duration watchDelay,
      Path dir,
      Duration timeout) {}

  /** Seconds per round, for new files and for deletions (empty for seed peers). */
  public record Result(Options options, List<Double> writes, List<Double> deletes) {
    public void print(PrintStream out) {
      out.printf(
          "propagation: %d peers, protocol %d, keepalive %s, watchDelay %s, %d rounds of %d bytes%n",
          options.peers(),
          options.protocol(),
          options.keepAlive(),
          options.watchDelay(),
          options.rounds(),
          options.fileSize());
      line(out, "new file complete everywhere", writes);
      if (!deletes.isEmpty()) {
        line(out, "deletion applied everywhere", deletes);
      }
    }

    private static void line(PrintStream out, String what, List<Double> seconds) {
      List<Double> sorted = new ArrayList<>(seconds);
      sorted.sort(null);
      out.printf(
          "  %s: median %.3f s, p90 %.3f s, max %.3f s%n",
          what,
          sorted.get(sorted.size() / 2),
          sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1)),
          sorted.get(sorted.size() - 1));
    }
  }

  private PropagationBench() {}

  public static Result run(Options options, PrintStream out) throws Exception {
    Path root = Files.createTempDirectory(options.dir(), "p2psync-bench-propagation-");
    Vertx vertx = Vertx.vertx();
    SyncConfig config =
        new SyncConfig()
            .setKeepAliveInterval(options.keepAlive())
            .setWatchDelay(options.watchDelay());
    Swarm swarm = new Swarm(vertx, root, config);
    try {
      Blocking.await(swarm.startTracker(0), Duration.ofSeconds(30));
      for (int p = 0; p < options.peers(); p++) {
        swarm
            .addPeer(String.format("peer%02d", p), Map.of())
            .options()
            .setProtocol(options.protocol());
      }
      Blocking.await(swarm.startAll(), Duration.ofSeconds(30));
      List<Swarm.Peer> peers = swarm.peers();
      Blocking.waitFor(
          () -> peers.stream().allMatch(p -> p.verticle().isTrackerConnected()),
          Duration.ofMillis(10),
          options.timeout(),
          "every peer connected");
      Random random = new Random(11);
      List<Double> writes = new ArrayList<>();
      List<Double> deletes = new ArrayList<>();
      out.printf("%d rounds ...%n", options.rounds());
      for (int round = 0; round < options.rounds(); round++) {
        String name = "round-" + round + ".bin";
        byte[] bytes = new byte[options.fileSize()];
        random.nextBytes(bytes);
        Path writer = peers.get(0).folder();
        Path temp = writer.resolve(FileNames.newTempName());
        Files.write(temp, bytes);
        long start = System.nanoTime();
        Files.move(temp, writer.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        long done =
            Blocking.waitFor(
                () -> peers.stream().allMatch(p -> hasSize(p.folder().resolve(name), bytes.length)),
                Duration.ofMillis(2),
                options.timeout(),
                name + " everywhere");
        writes.add((done - start) / 1e9);
        if (options.protocol() == 2) {
          start = System.nanoTime();
          Files.delete(writer.resolve(name));
          done =
              Blocking.waitFor(
                  () ->
                      peers.stream()
                          .noneMatch(
                              p ->
                                  Files.exists(
                                      p.folder().resolve(name), LinkOption.NOFOLLOW_LINKS)),
                  Duration.ofMillis(2),
                  options.timeout(),
                  name + " deleted everywhere");
          deletes.add((done - start) / 1e9);
        }
      }
      return new Result(options, writes, deletes);
    } finally {
      Bench.stop(swarm, vertx, root);
    }
  }

  private static boolean hasSize(Path file, long size) {
    try {
      return Files.size(file) == size;
    } catch (java.io.IOException e) {
      return false; // not there yet
    }
  }
}
