package p2psync.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import p2psync.conform.ConformReport;
import p2psync.conform.ConformRunner;
import p2psync.conform.ExternalProgram;
import p2psync.conform.TrackerProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code p2psync conform tracker --command 'CMD {host} {port}'}: the conformance kit. */
@Command(
    name = "conform",
    mixinStandardHelpOptions = true,
    description = "Test another program against the seed protocol and report each numbered case.",
    subcommands = {ConformCommand.Tracker.class})
final class ConformCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
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

    @Option(
        names = "--command",
        required = true,
        paramLabel = "CMD",
        description =
            "The tracker's command line; {host} and {port} are replaced,"
                + " e.g. 'python3 tracker.py {host} {port}'.")
    String command;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description = "Address the tracker listens on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the tracker.")
    Path cwd;

    @Option(
        names = "--startup-timeout",
        paramLabel = "DURATION",
        defaultValue = "10s",
        converter = DurationConverter.class,
        description =
            "How long the tracker may take to accept connections (default: ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    @Option(
        names = "--leave-wait",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description =
            "How long case T5 waits for a gone peer's files to leave (default: ${DEFAULT-VALUE}).")
    Duration leaveWait;

    @Option(
        names = "--report",
        paramLabel = "DIR",
        defaultValue = "conform-report",
        description = "Where report.json and program.log go (default: ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws IOException {
      try {
        if (!ExternalProgram.split(command).stream().anyMatch(w -> w.contains("{port}"))) {
          throw new IllegalArgumentException("--command must contain {port}");
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      TrackerProbe.Timeouts defaults = TrackerProbe.Timeouts.DEFAULT;
      ConformRunner.Options options =
          new ConformRunner.Options(
              command,
              host,
              cwd,
              startupTimeout,
              report,
              new TrackerProbe.Timeouts(defaults.reply(), defaults.quiet(), leaveWait));
      ConformReport result = ConformRunner.runTracker(options, System.out);
      return result.exitCode();
    }
  }
}
