package p2psync.simulation.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import p2psync.common.DirectoryEntry;
import p2psync.common.SeedCodec;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Codec;
import p2psync.common.v2.V2Entry;
import p2psync.peer.PeerOptions;
import p2psync.peer.PeerVerticle;
import p2psync.simulation.Blocking;
import p2psync.simulation.FolderState;

/**
 * One peer pulls one large file from another {@link PeerVerticle} over loopback, against a local
 * durable copy of the same file on the same disk ({@code FileChannel.transferTo} then {@code
 * force}), {@code cp} + {@code sync}, and the same pull by a plain-NIO receiver ({@link
 * PipelineFloor}: what the machine allows a pull), measured in the same run, alternating which goes
 * first.
 *
 * <p>A stand-in tracker (a few lines here) answers the puller's Init with a directory naming the
 * file, and records when it did: the transfer is timed from that reply to the moment the file
 * appears under its real name (the downloader renames it there after fsync), so neither the tracker
 * nor keepalive timing is in the figure.
 */
public final class TransferBench {
  private static final String NAME = "big.bin";
  private static final Duration POLL = Duration.ofMillis(1);

  /**
   * What to run. {@code protocol} 2: both peers speak v2 and the stand-in tracker sends v2 lines,
   * so the pull is an offset request verified by SHA-256 as it streams; 1: the seed wire. {@code
   * sources} (v2 only): serving peers, each with the file (hard links of one file, so one copy in
   * the page cache); from 2 on the pull is a ranged download from all of them (docs/protocol-v2.md,
   * Ranges), with the peer's default range settings for files of at least their threshold.
   */
  public record Options(
      long size, Path dir, int repeat, boolean verify, int protocol, int sources) {
    public Options {
      if (sources < 1 || (sources > 1 && protocol != 2)) {
        throw new IllegalArgumentException("--sources above 1 needs --protocol 2");
      }
    }

    public Options(long size, Path dir, int repeat, boolean verify, int protocol) {
      this(size, dir, repeat, verify, protocol, 1);
    }

    public Options(long size, Path dir, int repeat, boolean verify) {
      this(size, dir, repeat, verify, 1);
    }
  }

  /**
   * One repetition: seconds for the local durable copy, for {@code cp} + {@code sync} (NaN where
   * there is no cp), for the same pull by a plain-NIO receiver ({@link PipelineFloor}, hashing as
   * it streams when the protocol is 2), and for the peer-to-peer pull.
   */
  public record Run(
      double copySeconds,
      double cpSyncSeconds,
      double floorSeconds,
      double transferSeconds,
      double transferCpuSeconds) {
    double ratio() {
      return transferSeconds / copySeconds;
    }

    double cpSyncRatio() {
      return transferSeconds / cpSyncSeconds;
    }

    double floorRatio() {
      return floorSeconds / copySeconds;
    }
  }

  /** Everything measured. Memory figures in bytes. */
  public record Result(
      long size,
      List<Run> runs,
      long heapBeforeAfterGc,
      long heapAfterAfterGc,
      long heapPeakUsed,
      long heapCommittedPeak,
      long allocatedBytes,
      long rssPeak,
      long rssAfterSetup,
      long directMemoryPeak,
      int protocol,
      int sources) {

    public double medianRatio() {
      return Bench.median(runs.stream().map(Run::ratio).toList());
    }

    public double medianTransferMBps() {
      return size / 1e6 / Bench.median(runs.stream().map(Run::transferSeconds).toList());
    }

    public double medianCopyMBps() {
      return size / 1e6 / Bench.median(runs.stream().map(Run::copySeconds).toList());
    }

    public double medianFloorRatio() {
      return Bench.median(runs.stream().map(Run::floorRatio).toList());
    }

    /** NaN where cp + sync could not be run. */
    public double medianCpSyncRatio() {
      return Bench.median(runs.stream().map(Run::cpSyncRatio).toList());
    }

    public long heapGrowth() {
      return heapAfterAfterGc - heapBeforeAfterGc;
    }

    public void print(PrintStream out) {
      out.printf(
          "transfer: %s (%d bytes), %d run(s), protocol %d, %d source(s)%n",
          ProcStats.mib(size), size, runs.size(), protocol, sources);
      for (int i = 0; i < runs.size(); i++) {
        Run r = runs.get(i);
        out.printf(
            "  run %d: local durable copy %.3f s (%.0f MB/s), cp + sync %.3f s, plain-NIO pull"
                + " %.3f s (%.2fx), p2p pull %.3f s (%.0f MB/s, %.2f s CPU), ratio %.2fx (to cp +"
                + " sync %.2fx)%n",
            i + 1,
            r.copySeconds(),
            size / 1e6 / r.copySeconds(),
            r.cpSyncSeconds(),
            r.floorSeconds(),
            r.floorRatio(),
            r.transferSeconds(),
            size / 1e6 / r.transferSeconds(),
            r.transferCpuSeconds(),
            r.ratio(),
            r.cpSyncRatio());
      }
      out.printf(
          "  median: p2p %.0f MB/s, local copy %.0f MB/s, ratio p2p/copy %.2fx, p2p/(cp + sync)"
              + " %.2fx (issue 10: <= 1.5x); plain-NIO pull/copy %.2fx (what this machine"
              + " allows)%n",
          medianTransferMBps(),
          medianCopyMBps(),
          medianRatio(),
          medianCpSyncRatio(),
          medianFloorRatio());
      out.printf(
          "  heap: after GC %s before, %s after (growth %s, target <= 64 MiB); peak used incl. garbage %s,"
              + " peak committed %s%n",
          ProcStats.mib(heapBeforeAfterGc),
          ProcStats.mib(heapAfterAfterGc),
          ProcStats.mib(heapGrowth()),
          ProcStats.mib(heapPeakUsed),
          ProcStats.mib(heapCommittedPeak));
      out.printf(
          "  allocated on the heap during the pulls: %s (%.1f KiB per MiB moved); direct buffers peak %s%n",
          ProcStats.mib(allocatedBytes),
          allocatedBytes / 1024.0 / (size * (double) runs.size() / (1024 * 1024)),
          ProcStats.mib(directMemoryPeak));
      out.printf(
          "  RSS: %s after setup, peak (VmHWM) %s, growth %s (both peers and the bench: an upper"
              + " bound for the puller's)%n",
          ProcStats.mib(rssAfterSetup),
          ProcStats.mib(rssPeak),
          ProcStats.mib(rssPeak - rssAfterSetup));
    }
  }

  private TransferBench() {}

  public static Result run(Options options, PrintStream out) throws Exception {
    Path root = Files.createTempDirectory(options.dir(), "p2psync-bench-transfer-");
    Vertx vertx = null;
    try {
      Path serving = Files.createDirectories(root.resolve("serving"));
      Path source = serving.resolve(NAME);
      long mtime = 1_700_000_000L;
      out.printf("writing a %s test file in %s ...%n", ProcStats.mib(options.size()), root);
      writeTestFile(source, options.size());
      Files.setLastModifiedTime(source, FileTime.from(mtime, TimeUnit.SECONDS));

      // v2: the stand-in names the version, so it hashes the file as the serving peer will.
      String sha256 = options.protocol() == 2 ? FolderState.sha256(source) : null;
      Set<Integer> serversHashed = ConcurrentHashMap.newKeySet();
      // More sources: each its own folder (its own hidden state), the file a hard link.
      List<Path> servingFolders = new ArrayList<>(List.of(serving));
      for (int i = 1; i < options.sources(); i++) {
        Path folder = Files.createDirectories(root.resolve("serving-" + i));
        Files.createLink(folder.resolve(NAME), source);
        servingFolders.add(folder);
      }

      vertx = Vertx.vertx();
      SyncConfig config = new SyncConfig();
      // Files below the default threshold (a smoke run) are still pulled in ranges: 8 of them.
      config.setRangedMinBytes(
          (int) Math.max(1, Math.min(SyncConfig.DEFAULT_RANGED_MIN_BYTES, options.size())));
      config.setRangeBytes(
          (int) Math.max(1, Math.min(SyncConfig.DEFAULT_RANGE_BYTES, options.size() / 8)));
      // The tracker stand-in needs the server's port, the server needs the tracker's: start the
      // tracker
      // on an any-port first, tell it the server's port once known.
      AtomicLong directorySentAt = new AtomicLong();
      List<Integer> serverPorts = new CopyOnWriteArrayList<>();
      NetServer tracker =
          vertx
              .createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
              .connectHandler(
                  socket ->
                      RecordParser.newDelimited("\n", socket)
                          .handler(
                              line -> {
                                Integer fromServer = null;
                                for (int port : serverPorts) {
                                  if (line.toString().startsWith("{\"port\": " + port + ",")
                                      || line.toString().equals("{\"port\": " + port + "}")) {
                                    fromServer = port;
                                  }
                                }
                                if (fromServer != null) {
                                  // A v2 line (the mark alone) asks the server for its hashes.
                                  socket.write(
                                      sha256 == null ? "{}\n" : "{" + V2Codec.LINE_MARK + "}\n");
                                  if (line.toString().contains("\"sha256\"")) {
                                    serversHashed.add(fromServer);
                                  }
                                } else if (serverPorts.size() < options.sources()) {
                                  socket.write("{}\n"); // a server not registered yet
                                } else {
                                  socket.write(
                                      sha256 == null
                                          ? Buffer.buffer(
                                              SeedCodec.encodeDirectory(
                                                  Map.of(
                                                      NAME,
                                                      new DirectoryEntry(
                                                          "127.0.0.1", serverPorts.get(0), mtime))))
                                          : v2Line(serverPorts, mtime, options.size(), sha256));
                                  directorySentAt.compareAndSet(0, System.nanoTime());
                                }
                              }));
      int trackerPort = Blocking.await(tracker.listen(), Duration.ofSeconds(10)).actualPort();
      for (Path folder : servingFolders) {
        PeerVerticle server = peer(folder, trackerPort, config, options);
        Blocking.await(vertx.deployVerticle(server), Duration.ofSeconds(10));
        serverPorts.add(server.actualPort());
      }
      // A v2 server refuses v2 requests for a file it has not hashed yet.
      Blocking.waitFor(
          () -> sha256 == null || serversHashed.size() == options.sources(),
          POLL,
          Duration.ofMinutes(5),
          "the serving peers' hashes of the file");

      List<MemoryPoolMXBean> heapPools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .toList();
      // Its buffers exist before the memory baseline: they are the baseline pull's, not p2psync's.
      PipelineFloor plainNio = new PipelineFloor();
      System.gc();
      long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long rssAfterSetup = ProcStats.selfStatusBytes("VmRSS");
      heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
      DirectPeak direct = DirectPeak.start();

      // An untimed pull first, so the JIT has compiled the receive path before anything is
      // measured.
      pull(vertx, root.resolve("warm-up"), trackerPort, config, directorySentAt, options, out);
      Bench.deleteTree(root.resolve("warm-up"));
      floorPull(plainNio, source, root.resolve("warm-up-floor"), sha256);
      heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
      long allocatedBefore = Allocation.total();

      List<Run> runs = new ArrayList<>();
      for (int i = 0; i < options.repeat(); i++) {
        int run = i;
        Path pulling = root.resolve("pulling-" + i);
        Vertx running = vertx;
        Callable<double[]> pullOnce =
            () -> {
              double[] pulled =
                  pull(running, pulling, trackerPort, config, directorySentAt, options, out);
              if (options.verify()) {
                verifyPulled(source, pulling, run, out);
              }
              Bench.deleteTree(pulling);
              return pulled;
            };
        // Each step's file is deleted once timed, so each next step writes into memory freed a
        // moment before (see durableCopy).
        Callable<Double> copyOnce = () -> durableCopy(source, root.resolve("copy-" + run));
        Callable<Double> cpSyncOnce = () -> cpAndSync(source, root.resolve("cp-" + run));
        Callable<Double> floorOnce =
            () -> floorPull(plainNio, source, root.resolve("floor-" + run), sha256);
        double copy;
        double cpSync;
        double floor;
        double[] pull;
        if (i % 2 == 0) {
          copy = copyOnce.call();
          cpSync = cpSyncOnce.call();
          floor = floorOnce.call();
          pull = pullOnce.call();
        } else {
          pull = pullOnce.call();
          floor = floorOnce.call();
          cpSync = cpSyncOnce.call();
          copy = copyOnce.call();
        }
        runs.add(new Run(copy, cpSync, floor, pull[0], pull[1]));
      }

      long allocated = Allocation.total() - allocatedBefore;
      long heapPeak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      long committedPeak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getCommitted()).sum();
      long directPeak = direct.stop() - plainNio.directBytes(); // p2psync's, not the baseline's
      System.gc();
      long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      Result result =
          new Result(
              options.size(),
              runs,
              heapBefore,
              heapAfter,
              heapPeak,
              committedPeak,
              allocated,
              ProcStats.selfStatusBytes("VmHWM"),
              rssAfterSetup,
              directPeak,
              options.protocol(),
              options.sources());
      return result;
    } finally {
      if (vertx != null) {
        Blocking.await(vertx.close(), Duration.ofSeconds(30));
      }
      Bench.deleteTree(root);
    }
  }

  /**
   * A fresh peer on an empty folder pulls the file; returns {wall seconds, process CPU seconds}.
   */
  private static double[] pull(
      Vertx vertx,
      Path folder,
      int trackerPort,
      SyncConfig config,
      AtomicLong directorySentAt,
      Options options,
      PrintStream out)
      throws IOException {
    long size = options.size();
    Files.createDirectories(folder);
    sync();
    Path target = folder.resolve(NAME);
    PeerVerticle puller = peer(folder, trackerPort, config, options);
    directorySentAt.set(0);
    Duration cpuBefore = ProcStats.cpuTime(ProcessHandle.current());
    String id = Blocking.await(vertx.deployVerticle(puller), Duration.ofSeconds(10));
    Duration limit = Duration.ofSeconds(Math.max(60, size / 20_000_000)); // >= 20 MB/s or it failed
    long end =
        Blocking.waitFor(
            () -> Files.exists(target) || puller.transfers().failed() > 0,
            POLL,
            limit,
            "the pulled file");
    Duration cpuAfter = ProcStats.cpuTime(ProcessHandle.current());
    // Whom it came from: a ranged pull names every holder it used, comma-separated.
    Blocking.await(puller.status(), Duration.ofSeconds(10)).recent().stream()
        .filter(t -> t.name().equals(NAME))
        .findFirst()
        .ifPresent(t -> out.printf("  pulled from %s: %s%n", t.source(), t.result()));
    Blocking.await(vertx.undeploy(id), Duration.ofSeconds(10));
    if (!Files.exists(target)) {
      throw new IllegalStateException("the download failed (see the log)");
    }
    if (Files.size(target) != size) {
      throw new IllegalStateException("pulled " + Files.size(target) + " bytes, expected " + size);
    }
    double cpu =
        cpuBefore == null || cpuAfter == null
            ? Double.NaN
            : (cpuAfter.toNanos() - cpuBefore.toNanos()) / 1e9;
    return new double[] {(end - directorySentAt.get()) / 1e9, cpu};
  }

  /** A peer on loopback (any port) of {@code folder}, a serving one or the puller. */
  private static PeerVerticle peer(
      Path folder, int trackerPort, SyncConfig config, Options options) {
    return new PeerVerticle(
        new PeerOptions()
            .setDir(folder)
            .setHost("127.0.0.1")
            .setPort(0)
            .setTrackerHost("127.0.0.1")
            .setTrackerPort(trackerPort)
            .setProtocol(options.protocol())
            .setSync(config));
  }

  /** {@code {"": {"v": 2}, NAME: {..., "size", "sha256", "sources": [the servers]}}\n} */
  private static Buffer v2Line(List<Integer> ports, long mtime, long size, String sha256) {
    return Buffer.buffer("{" + V2Codec.LINE_MARK + ", ")
        .appendBytes(
            V2Codec.encodeDirectoryMember(
                NAME,
                "127.0.0.1",
                ports.get(0),
                mtime,
                size,
                sha256,
                ports.stream().map(port -> new V2Entry.Source("127.0.0.1", port)).toList()))
        .appendString("}\n");
  }

  /** The baseline: the same bytes copied on the same disk, then fsynced, as the downloader does. */
  static double durableCopy(Path source, Path folder) throws Exception {
    return timedStep(
        folder,
        target -> {
          long start = System.nanoTime();
          try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
              FileChannel outChannel =
                  FileChannel.open(
                      target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            for (long position = 0; position < size; ) {
              position += in.transferTo(position, size - position, outChannel);
            }
            outChannel.force(true);
          }
          return (System.nanoTime() - start) / 1e9;
        });
  }

  /** One step's body: writes {@code target}, returns the seconds it took (NaN: could not run). */
  @FunctionalInterface
  interface Step {
    double run(Path target) throws Exception;
  }

  /**
   * Runs a step into {@code folder} from a synced disk, then deletes its file at once: pages freed
   * a moment before are taken again by the next step. Left for seconds, this VM reports them free
   * to its host, and the next step to touch them pays a host fault per page (docs/benchmarks.md,
   * section 15): whichever step came after the most files were left behind used to pay for it.
   */
  private static double timedStep(Path folder, Step step) throws Exception {
    Files.createDirectories(folder);
    sync();
    try {
      return step.run(folder.resolve(NAME));
    } finally {
      Bench.deleteTree(folder);
    }
  }

  /** {@link PipelineFloor#pull}, into a folder of its own, deleted once timed. */
  static double floorPull(PipelineFloor floor, Path source, Path folder, String sha256)
      throws Exception {
    return timedStep(folder, target -> floor.pull(source, target, sha256));
  }

  /**
   * The baseline a user would time by hand: {@code cp} of the file, then {@code sync}, each a
   * process of its own (their start is in the figure, as it is for the user). {@code sync} writes
   * back every dirty page of the machine, not only the copy's: the steps before it were synced. NaN
   * where cp or sync cannot be run.
   */
  static double cpAndSync(Path source, Path folder) throws Exception {
    return timedStep(
        folder,
        target -> {
          long start = System.nanoTime();
          boolean ran = run("cp", source.toString(), target.toString()) && run("sync");
          return ran ? (System.nanoTime() - start) / 1e9 : Double.NaN;
        });
  }

  /** Checks a pulled file against the source, and times what a read-back verification costs. */
  private static void verifyPulled(Path source, Path pulling, int run, PrintStream out)
      throws IOException {
    String expected = FolderState.sha256(source);
    // What a ranged pull's verification costs: one read of a just-written file and its hash.
    long hashStart = System.nanoTime();
    String got = FolderState.sha256(pulling.resolve(NAME));
    out.printf(
        "  run %d: the pulled file read back and hashed in %.3f s%n",
        run + 1, (System.nanoTime() - hashStart) / 1e9);
    if (!expected.equals(got)) {
      throw new IllegalStateException("pulled file differs from the source");
    }
  }

  /** Runs a command to its end; whether it ran and exited 0. */
  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).inheritIO().start();
      return p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Incompressible bytes (a random MiB, varied per MiB), flushed to disk so the runs start from a
   * quiet disk.
   */
  static void writeTestFile(Path file, long size) throws IOException {
    ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
    byte[] random = new byte[1 << 20];
    new Random(42).nextBytes(random);
    block.put(random).flip();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      long counter = 0;
      while (written < size) {
        block.clear();
        block.putLong(0, counter++);
        block.limit((int) Math.min(block.capacity(), size - written));
        while (block.hasRemaining()) {
          written += channel.write(block);
        }
      }
      channel.force(true);
    }
  }

  /** Flushes dirty pages of earlier steps so they do not land in the next measurement. */
  private static void sync() {
    run("sync"); // without sync(1) the figures are noisier, nothing more
  }
}
