package p2psync.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import p2psync.conform.ConformReport;
import p2psync.conform.ConformRunner;
import p2psync.conform.PeerProbe;
import p2psync.conform.TrackerProbe;
import p2psync.simulation.external.ExternalProgram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code p2psync conform tracker|peer --command 'CMD {host} {port}'}: the conformance kit. Exit 0
 * when every required case passed, 1 otherwise, 2 on bad arguments.
 */
@Command(
    name = "conform",
    mixinStandardHelpOptions = true,
    description = "Test another program against the seed protocol and report each numbered case.",
    subcommands = {ConformCommand.Tracker.class, ConformCommand.Peer.class})
final class ConformCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** What both roles take: the program, where it listens or connects, and where the report goes. */
  static final class KitOptions {
    @Option(
        names = "--command",
        required = true,
        paramLabel = "CMD",
        description =
            "The program's command line; {host} and {port} are replaced,"
                + " e.g. 'python3 tracker.py {host} {port}'.")
    String command;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description =
            "Loopback address the kit and the program meet on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
        names = "--startup-timeout",
        paramLabel = "DURATION",
        defaultValue = "30s",
        converter = DurationConverter.class,
        description =
            "How long the program may take to listen, or a peer to send its first line (a JVM"
                + " starting beside others on a busy machine can take 10 s)"
                + " (default: ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    @Option(
        names = "--report",
        paramLabel = "DIR",
        defaultValue = "conform-report",
        description =
            "Where report.json, report.html and the program's output go (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(
        names = "--case",
        paramLabel = "ID",
        split = ",",
        description = "Play only these cases (e.g. P11,P14; repeatable); default: all.")
    Set<String> only = new LinkedHashSet<>();

    /** A run of the kit whose report gives the exit code; a case id that names none exits 2. */
    @FunctionalInterface
    interface Run {
      ConformReport play() throws IOException;
    }

    int run(CommandLine.Model.CommandSpec spec, Run run) throws IOException {
      try {
        return run.play().exitCode();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }

    /** The command, checked: a program that is not told the port cannot be tested. */
    String checkedCommand(CommandLine.Model.CommandSpec spec) {
      try {
        if (ExternalProgram.split(command).stream().noneMatch(w -> w.contains("{port}"))) {
          throw new IllegalArgumentException("--command must contain {port}");
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      return command;
    }
  }

  @Command(
      name = "tracker",
      mixinStandardHelpOptions = true,
      description = {
        "Run a tracker under test and play seed peers against it.",
        "Exit 0 when every required case passed, 1 otherwise, 2 on bad arguments."
      })
  static final class Tracker implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Mixin KitOptions kit;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the tracker.")
    Path cwd;

    @Option(
        names = "--leave-wait",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description =
            "How long case T5 waits for a gone peer's files to leave (default: ${DEFAULT-VALUE}).")
    Duration leaveWait;

    @Override
    public Integer call() throws IOException {
      TrackerProbe.Timeouts defaults = TrackerProbe.Timeouts.DEFAULT;
      ConformRunner.Options options =
          new ConformRunner.Options(
              kit.checkedCommand(spec),
              kit.host,
              cwd,
              kit.startupTimeout,
              kit.report,
              new TrackerProbe.Timeouts(defaults.reply(), defaults.quiet(), leaveWait),
              kit.only);
      return kit.run(spec, () -> ConformRunner.runTracker(options, System.out));
    }
  }

  @Command(
      name = "peer",
      mixinStandardHelpOptions = true,
      description = {
        "Run a peer under test, once per case in a fresh folder as its working directory,",
        "and play its tracker and the other peers (honest and hostile) against it.",
        "Exit 0 when every required case passed, 1 otherwise, 2 on bad arguments."
      })
  static final class Peer implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Mixin KitOptions kit;

    @Option(
        names = "--cwd",
        paramLabel = "DIR",
        description =
            "Where relative paths in the command are found (default: the current folder): the"
                + " peer itself runs in its case folder.")
    Path cwd;

    @Option(
        names = "--env",
        paramLabel = "K=V",
        description = "Added to the peer's environment; repeatable.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(
        names = "--parallel",
        defaultValue = "4",
        description = "Cases played at once, each with its own peer (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(
        names = "--huge-file",
        description = "Also play P15, a file over 2 GiB (writes 2 GiB into the report folder).")
    boolean hugeFile;

    @Option(
        names = "--keepalive",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description = "The KeepAlive interval the peer must keep (default: ${DEFAULT-VALUE}).")
    Duration keepAlive;

    @Option(
        names = "--keepalive-tolerance",
        paramLabel = "DURATION",
        defaultValue = "1500ms",
        converter = DurationConverter.class,
        description = "How far off a KeepAlive may be (default: ${DEFAULT-VALUE}).")
    Duration keepAliveTolerance;

    @Option(
        names = "--transfer-wait",
        paramLabel = "DURATION",
        defaultValue = "60s",
        converter = DurationConverter.class,
        description = "How long a pull may take to complete (default: ${DEFAULT-VALUE}).")
    Duration transfer;

    @Option(
        names = "--stall-wait",
        paramLabel = "DURATION",
        defaultValue = "90s",
        converter = DurationConverter.class,
        description =
            "How long the peer may wait on a stalled source before giving up (default:"
                + " ${DEFAULT-VALUE}).")
    Duration stall;

    @Option(
        names = "--reconnect-wait",
        paramLabel = "DURATION",
        defaultValue = "30s",
        converter = DurationConverter.class,
        description =
            "How long the peer may take to exit or reconnect once its tracker closed (default:"
                + " ${DEFAULT-VALUE}).")
    Duration reconnect;

    @Override
    public Integer call() throws IOException {
      if (parallel < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--parallel must be >= 1");
      }
      PeerProbe.Timings defaults = PeerProbe.Timings.DEFAULT;
      PeerProbe.Timings timings =
          new PeerProbe.Timings(
              keepAlive,
              keepAliveTolerance,
              transfer,
              defaults.settle(),
              stall,
              reconnect,
              defaults.drip(),
              defaults.headerGap());
      ConformRunner.PeerOptions options =
          new ConformRunner.PeerOptions(
              kit.checkedCommand(spec),
              kit.host,
              cwd == null ? Path.of("") : cwd,
              env,
              kit.startupTimeout,
              kit.report,
              timings,
              parallel,
              hugeFile,
              kit.only);
      return kit.run(spec, () -> ConformRunner.runPeer(options, System.out));
    }
  }
}
