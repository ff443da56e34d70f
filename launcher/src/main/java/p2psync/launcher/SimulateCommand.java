package p2psync.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import p2psync.common.ConfigLoader;
import p2psync.common.SyncConfig;
import p2psync.simulation.Fault;
import p2psync.simulation.Simulation;
import p2psync.simulation.SimulationOptions;
import p2psync.simulation.SimulationReport;
import p2psync.simulation.WorkloadEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code p2psync simulate}: a tracker and many peers behind Toxiproxy, faults from a seed, a
 * report.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    // picocli lists a command by its first description line: keep that line a whole sentence.
    description = {
      "Run a tracker and N peers behind Toxiproxy under faults until they converge.",
      "Each party gets a Toxiproxy proxy in front of it; faults are injected for --duration, then the run",
      "waits until every peer holds the newest version of every file.",
      "Exits 0 only when the peers converged with every invariant kept; 1 otherwise, with the reason.",
      "Timings default to shrunk ones (keepalive 500ms); -c FILE, P2PSYNC_* and -Dp2psync.* override them."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--peers",
      paramLabel = "N",
      defaultValue = "" + SimulationOptions.DEFAULT_PEERS,
      description = "Peers (default: ${DEFAULT-VALUE}).")
  int peers;

  @Option(
      names = "--trackers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Tracker nodes: 1 a plain tracker, 2..9 a tracker cluster with the peers spread over it"
              + " (default: ${DEFAULT-VALUE}).")
  int trackers;

  @Option(
      names = "--files-per-peer",
      paramLabel = "M",
      defaultValue = "" + SimulationOptions.DEFAULT_FILES_PER_PEER,
      description =
          "Files each peer starts with; some are other versions of another peer's (default: ${DEFAULT-VALUE}).")
  int filesPerPeer;

  @Option(
      names = "--size",
      paramLabel = "SIZE",
      defaultValue = "4MiB",
      converter = SizeConverter.class,
      description =
          "Largest file: every third peer has one of half to all of it; the rest are empty to 256 KiB (default: ${DEFAULT-VALUE}).")
  long size;

  @Option(
      names = "--faults",
      paramLabel = "LIST",
      defaultValue = "all",
      description =
          "Comma-separated, or none or all (default: ${DEFAULT-VALUE}): latency, bandwidth, drop, reset, stall, cut, tracker-restart, crash, churn.")
  String faults;

  @Option(
      names = "--events",
      paramLabel = "LIST",
      defaultValue = "none",
      description =
          "What users do to the folders during the faults, comma-separated, or none or all (default: ${DEFAULT-VALUE}): edit, delete, concurrent-edit. Any of them runs v2 peers and checks that the folders end identical and that no version is lost (a current file, a conflict copy or in a trash).")
  String events;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long faults are injected (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--converge-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How long the peers may take to converge once the faults stop (default: ${DEFAULT-VALUE}).")
  Duration convergeTimeout;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the files and the fault plan (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--toxiproxy",
      paramLabel = "embedded|docker|docker-host|URL",
      defaultValue = SimulationOptions.EMBEDDED,
      description =
          "embedded (in this JVM), docker (ghcr.io/shopify/toxiproxy:2.12.0 via Testcontainers, on Docker's bridge), docker-host (the same on the host's network, all on 127.0.0.1; Linux) or the URL of a running Toxiproxy, e.g. http://127.0.0.1:8474 (default: ${DEFAULT-VALUE}).")
  String toxiproxy;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      defaultValue = "simulation-report",
      description = "Where report.json and report.html go (default: ${DEFAULT-VALUE}).")
  Path report;

  @Option(
      names = "--keep",
      paramLabel = "DIR",
      description = "Keep the peers' folders in DIR instead of a temp folder deleted afterwards.")
  Path keep;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "JSON or YAML file with config keys (see README).")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print the peers' and tracker's log lines instead of a progress line.")
  boolean verbose;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      description =
          "Serve the tracker's dashboard, status API and metrics on 127.0.0.1:N while the run goes"
              + " (one tracker only; default: none).")
  Integer httpPort;

  @Option(
      names = "--peer-command",
      paramLabel = "CMD",
      description =
          "Another program's peer, e.g. 'python3 fileSynchronizer.py {host} {port}': run in its"
              + " folder, behind a proxy like ours, judged by the same checker.")
  String peerCommand;

  @Option(
      names = "--external-peers",
      paramLabel = "K",
      defaultValue = "0",
      description = "How many of the --peers (the last ones) run --peer-command (default: 0).")
  int externalPeers;

  @Option(
      names = "--tracker-command",
      paramLabel = "CMD",
      description = "Another program's tracker, e.g. 'python3 tracker.py {host} {port}' (one).")
  String trackerCommand;

  @Option(
      names = "--external-env",
      paramLabel = "K=V",
      description =
          "Added to the external programs' environment, e.g. SEED_KEEPALIVE_SECONDS=0.5 to"
              + " match the simulation's shrunk timings; repeatable.")
  Map<String, String> externalEnv = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    SimulationOptions options;
    try {
      options =
          new SimulationOptions()
              .peers(peers)
              .trackers(trackers)
              .filesPerPeer(filesPerPeer)
              .maxFileSize(size)
              .faults(Fault.parseList(faults))
              .events(WorkloadEvent.parseList(events))
              .duration(duration)
              .convergeTimeout(convergeTimeout)
              .seed(seed)
              .toxiproxy(toxiproxy)
              .root(keep)
              .httpPort(httpPort == null ? -1 : httpPort)
              .sync(loadTimings())
              .peerCommand(peerCommand)
              .externalPeers(peerCommand != null && externalPeers == 0 ? 1 : externalPeers)
              .trackerCommand(trackerCommand)
              .externalEnv(externalEnv);
      options.checkExternals();
      if (httpPort != null && trackers > 1) {
        throw new IllegalArgumentException("--http-port works with one tracker only");
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (verbose) {
      ConsoleLogging.configure(false);
    } else {
      ConsoleLogging.silence();
    }
    PrintStream out = System.out;
    out.printf(
        "== p2psync simulate: %d peers%s%s%s, faults %s for %s, seed %d, toxiproxy %s%n",
        peers,
        options.externalPeers() > 0 ? " (" + options.externalPeers() + " external)" : "",
        trackers > 1 ? " on " + trackers + " tracker nodes" : "",
        trackerCommand != null ? ", external tracker" : "",
        faults,
        duration,
        seed,
        toxiproxy);
    Progress progress = new Progress(out, !verbose && System.console() != null);
    SimulationReport result;
    try {
      result = Simulation.run(options, progress::show);
    } catch (Exception e) {
      progress.end();
      System.err.println("p2psync: the simulation could not run: " + e.getMessage());
      return 1;
    }
    progress.end();
    result.writeTo(report);
    out.println("== " + result.summary());
    out.println(
        "== report: " + report.resolve("report.html").toAbsolutePath() + " (and report.json)");
    return result.converged() ? 0 : 1;
  }

  /**
   * The simulation's shrunk timings, under what -c FILE, the environment and system properties say.
   */
  private SyncConfig loadTimings() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject json =
          ConfigLoader.load(vertx, SimulationOptions.shrunkTimings().toJson(), config)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      return new SyncConfig(json);
    } finally {
      vertx.close();
    }
  }

  /** A progress bar redrawn in place on a terminal, or a line a second elsewhere. */
  private static final class Progress {
    private final PrintStream out;
    private final boolean inPlace;
    private long lastPrinted = -1_000;
    private boolean drawn;

    Progress(PrintStream out, boolean inPlace) {
      this.out = out;
      this.inPlace = inPlace;
    }

    synchronized void show(Simulation.Sample s) {
      if (!inPlace && s.millis() - lastPrinted < 1_000) {
        return;
      }
      lastPrinted = s.millis();
      int width = 20;
      int filled = s.expected() == 0 ? width : s.converged() * width / s.expected();
      String line =
          String.format(
              Locale.ROOT,
              "[%s%s] %d/%d converged | %d transfers, %d failed | %.1f MiB | t=%.1fs | faults: %s",
              "#".repeat(filled),
              ".".repeat(width - filled),
              s.converged(),
              s.expected(),
              s.completed(),
              s.failed(),
              s.bytes() / 1048576.0,
              s.millis() / 1000.0,
              s.activeFaults().isEmpty() ? "none" : summarize(s));
      if (inPlace) {
        out.print("\r\033[K" + line);
        drawn = true;
      } else {
        out.println(line);
      }
      out.flush();
    }

    /** Fault kinds on, with how many targets each: "stall x3, latency x9". */
    private static String summarize(Simulation.Sample s) {
      java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
      s.activeFaults().forEach(f -> counts.merge(f.substring(0, f.indexOf(' ')), 1, Integer::sum));
      return String.join(
          ", ", counts.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).toList());
    }

    synchronized void end() {
      if (drawn) {
        out.println();
      }
    }
  }
}
