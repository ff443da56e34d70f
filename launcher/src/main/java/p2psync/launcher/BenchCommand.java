package p2psync.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import p2psync.common.SyncConfig;
import p2psync.simulation.bench.ProcStats;
import p2psync.simulation.bench.PropagationBench;
import p2psync.simulation.bench.SwarmBench;
import p2psync.simulation.bench.TrackerBench;
import p2psync.simulation.bench.TrackerMain;
import p2psync.simulation.bench.TransferBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code p2psync bench KIND}: the performance benchmarks; the work is in {@code
 * p2psync.simulation.bench}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Performance benchmarks, run by hand (see docs/benchmarks.md).",
      "Each prints its figures and a ratio against a baseline measured in the same run."
    },
    subcommands = {
      BenchCommand.Transfer.class,
      BenchCommand.Tracker.class,
      BenchCommand.Convergence.class,
      BenchCommand.SmallFiles.class,
      BenchCommand.Propagation.class,
    })
final class BenchCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a benchmark is required");
  }

  static void header() {
    System.out.println("machine: " + ProcStats.machine());
  }

  @Command(
      name = "transfer",
      mixinStandardHelpOptions = true,
      description = {
        "One peer pulls one file from another over loopback, against a local durable copy",
        "(FileChannel.transferTo + force), cp + sync of the same file on the same disk, and",
        "the same pull by a plain-NIO receiver (what the machine allows), in the same run."
      })
  static final class Transfer implements Callable<Integer> {
    @Option(
        names = "--size",
        defaultValue = "1g",
        converter = SizeConverter.class,
        description = "File size: 1g, 4g, 512m, 1m ... (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(
        names = "--dir",
        defaultValue = "${sys:java.io.tmpdir}",
        description = "Where the temp folders go (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(
        names = "--repeat",
        defaultValue = "3",
        description = "Runs, alternating which goes first (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--verify", description = "Also compare SHA-256 of source and pulled file.")
    boolean verify;

    @Option(
        names = "--protocol",
        defaultValue = "1",
        description =
            "1: the seed wire; 2: v2 peers and v2 lines, the pull verified by SHA-256 (default: ${DEFAULT-VALUE}).")
    int protocol;

    @Option(
        names = "--sources",
        defaultValue = "1",
        description =
            "Serving peers (from 2 on, with --protocol 2): the file is pulled in ranges from all"
                + " of them at once (default: ${DEFAULT-VALUE}).")
    int sources;

    /** Held: java.util.logging keeps loggers weakly, and would forget the level. */
    private static final java.util.logging.Logger RANGES =
        java.util.logging.Logger.getLogger("p2psync.peer.ranges");

    @Override
    public Integer call() throws Exception {
      ConsoleLogging.configure(false, java.util.logging.Level.WARNING);
      // A ranged pull says how long its ranges, its read-back hash and its fsync took.
      RANGES.setLevel(java.util.logging.Level.INFO);
      for (var handler : java.util.logging.Logger.getLogger("").getHandlers()) {
        handler.setLevel(java.util.logging.Level.INFO); // every other logger stays at WARNING
      }
      header();
      TransferBench.run(
              new TransferBench.Options(size, dir, repeat, verify, protocol, sources), System.out)
          .print(System.out);
      return 0;
    }
  }

  @Command(
      name = "tracker",
      mixinStandardHelpOptions = true,
      description = {
        "N peer connections of a converged swarm (every peer advertises the same names) send a",
        "KeepAlive every interval while a trickle re-advertises changed files; reports reply latency",
        "p50/p99/max and the tracker's CPU and RSS. The tracker runs in a JVM of its own unless --in-process.",
        "--storm: every peer joins a fresh tracker within one interval, with mtimes of its own, as after a",
        "tracker restart; reports Init and KeepAlive latency apart, failed connections, CPU and RSS.",
        "--v2: v2 peers on directory deltas with pushes; egress counts every line the peers read."
      })
  static final class Tracker implements Callable<Integer> {
    @Option(
        names = "--peers",
        defaultValue = "1000",
        description = "Connections (default: ${DEFAULT-VALUE}).")
    int peers;

    @Option(
        names = "--names",
        defaultValue = "1000",
        description = "Names every peer advertises (default: ${DEFAULT-VALUE}).")
    int names;

    @Option(
        names = "--keepalive",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description = "KeepAlive interval of every peer (default: ${DEFAULT-VALUE}).")
    Duration keepAlive;

    @Option(
        names = "--duration",
        defaultValue = "30s",
        converter = DurationConverter.class,
        description =
            "Measured window, after ramp-up and one interval of warm-up (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
        names = "--trickle",
        defaultValue = "2",
        description = "Re-advertisements of a changed file per second (default: ${DEFAULT-VALUE}).")
    double trickle;

    @Option(
        names = "--storm",
        description = "A join storm: no ramp-up, every peer joins within one interval.")
    boolean storm;

    @Option(
        names = "--rounds",
        defaultValue = "1",
        description =
            "Run it this many times against the same tracker, "
                + "new connections each time: the first round meets a cold JVM, later ones a warm one (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
        names = "--v2",
        description =
            "Every peer speaks v2 with directory deltas and pushes: hashed entries, KeepAlives naming"
                + " the version held, replies and pushes carrying only what changed.")
    boolean v2;

    @Option(
        names = "--in-process",
        description = "Run the tracker in this JVM instead of a child JVM.")
    boolean inProcess;

    @Option(
        names = "--tracker-jvm-options",
        defaultValue = TrackerMain.LAUNCHER_JVM_OPTIONS,
        description =
            "JVM options of the tracker's JVM (default: ./p2psync's for a tracker, ${DEFAULT-VALUE}).")
    String trackerJvmOptions;

    @Option(
        names = "--tracker-classpath",
        description =
            "Class path of the tracker's JVM, e.g. another build's "
                + "p2psync.jar, to compare trackers under the same load (default: this one's).")
    String trackerClassPath;

    @Override
    public Integer call() throws Exception {
      ConsoleLogging.configure(false, java.util.logging.Level.WARNING);
      header();
      TrackerBench.run(
              new TrackerBench.Options(
                  peers,
                  names,
                  keepAlive,
                  duration,
                  trickle,
                  inProcess,
                  trackerJvmOptions,
                  storm,
                  trackerClassPath,
                  rounds,
                  v2),
              System.out)
          .print(System.out);
      return 0;
    }
  }

  @Command(
      name = "convergence",
      mixinStandardHelpOptions = true,
      description = {
        "N peers in one JVM, each starting with its own files; time from the last join until",
        "every folder is identical, in keepalive intervals."
      })
  static final class Convergence implements Callable<Integer> {
    @Option(
        names = "--peers",
        defaultValue = "100",
        description = "Peers (default: ${DEFAULT-VALUE}).")
    int peers;

    @Option(
        names = "--files",
        defaultValue = "10",
        description = "Distinct files per peer (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(
        names = "--file-size",
        defaultValue = "64k",
        converter = SizeConverter.class,
        description = "Size of each file (default: ${DEFAULT-VALUE}).")
    long fileSize;

    @Mixin SwarmOptions swarm;

    @Override
    public Integer call() throws Exception {
      return runSwarm(
          SwarmBench.Options.convergence(
                  peers,
                  files,
                  Math.toIntExact(fileSize),
                  swarm.keepAlive,
                  swarm.dir,
                  swarm.timeout)
              .withProtocol(swarm.protocol)
              .withMaxConcurrentDownloads(swarm.maxConcurrentDownloads));
    }
  }

  @Command(
      name = "small-files",
      mixinStandardHelpOptions = true,
      description = {
        "One peer holding many small files joins a few empty peers; time until every folder",
        "is identical, and the size of the tracker's directory line."
      })
  static final class SmallFiles implements Callable<Integer> {
    @Option(
        names = "--files",
        defaultValue = "10000",
        description = "Files the joining peer holds (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(
        names = "--others",
        defaultValue = "3",
        description = "Peers already there, empty (default: ${DEFAULT-VALUE}).")
    int others;

    @Option(
        names = "--file-size",
        defaultValue = "1k",
        converter = SizeConverter.class,
        description = "Size of each file (default: ${DEFAULT-VALUE}).")
    long fileSize;

    @Option(
        names = "--holder-first",
        description =
            "The holder starts first (and has hashed its files, at --protocol 2); the others join"
                + " then, and the clock times them.")
    boolean holderFirst;

    @Mixin SwarmOptions swarm;

    @Override
    public Integer call() throws Exception {
      return runSwarm(
          SwarmBench.Options.smallFiles(
                  files,
                  others,
                  Math.toIntExact(fileSize),
                  swarm.keepAlive,
                  swarm.dir,
                  swarm.timeout)
              .withProtocol(swarm.protocol)
              .withHolderFirst(holderFirst)
              .withMaxConcurrentDownloads(swarm.maxConcurrentDownloads));
    }
  }

  @Command(
      name = "propagation",
      mixinStandardHelpOptions = true,
      description = {
        "A tracker and N peers in one JVM; round after round one peer's user writes a new file",
        "(then deletes it, v2): time until every other folder has it (has lost it)."
      })
  static final class Propagation implements Callable<Integer> {
    @Option(
        names = "--peers",
        defaultValue = "3",
        description = "Peers (default: ${DEFAULT-VALUE}).")
    int peers;

    @Option(
        names = "--rounds",
        defaultValue = "10",
        description = "Files written, one after another (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
        names = "--file-size",
        defaultValue = "64k",
        converter = SizeConverter.class,
        description = "Size of each file (default: ${DEFAULT-VALUE}).")
    long fileSize;

    @Option(
        names = "--protocol",
        defaultValue = "2",
        description = "1 (seed) or 2 (v2, deletions measured too) (default: ${DEFAULT-VALUE}).")
    int protocol;

    @Option(
        names = "--watch-delay",
        defaultValue = "200ms",
        converter = DurationConverter.class,
        description = "watchDelay; 0s: no watching (default: ${DEFAULT-VALUE}).")
    Duration watchDelay;

    // not SwarmOptions: its --protocol (default 1) would clash with this one (default 2)
    @Mixin RunOptions swarm;

    @Override
    public Integer call() throws Exception {
      ConsoleLogging.configure(false, java.util.logging.Level.WARNING);
      header();
      PropagationBench.run(
              new PropagationBench.Options(
                  peers,
                  rounds,
                  Math.toIntExact(fileSize),
                  protocol,
                  swarm.keepAlive,
                  watchDelay,
                  swarm.dir,
                  swarm.timeout),
              System.out)
          .print(System.out);
      return 0;
    }
  }

  /** Runs a swarm benchmark and prints it; exit 1 when the folders did not end up identical. */
  static int runSwarm(SwarmBench.Options options) throws Exception {
    ConsoleLogging.configure(false, java.util.logging.Level.WARNING);
    header();
    SwarmBench.Result result = SwarmBench.run(options, System.out);
    result.print(System.out);
    return result.contentsVerified() ? 0 : 1;
  }

  /** What every swarm benchmark shares. */
  static class RunOptions {
    @Option(
        names = "--keepalive",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description = "KeepAlive interval (default: ${DEFAULT-VALUE}).")
    Duration keepAlive;

    @Option(
        names = "--timeout",
        defaultValue = "10m",
        converter = DurationConverter.class,
        description = "Give up after this (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
        names = "--dir",
        defaultValue = "${sys:java.io.tmpdir}",
        description = "Where the folders go (default: ${DEFAULT-VALUE}).")
    Path dir;
  }

  /** What the convergence and small-files benchmarks share. */
  static final class SwarmOptions extends RunOptions {
    @Option(
        names = "--protocol",
        defaultValue = "1",
        description = "Every peer's protocol: 1 seed, 2 v2 (default: ${DEFAULT-VALUE}).")
    int protocol;

    @Option(
        names = "--max-concurrent-downloads",
        defaultValue = "" + SyncConfig.DEFAULT_MAX_CONCURRENT_DOWNLOADS,
        description = "Every peer's maxConcurrentDownloads (default: ${DEFAULT-VALUE}).")
    int maxConcurrentDownloads;
  }
}
