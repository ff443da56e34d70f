package p2psync.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code p2psync}: the seed's tracker and peer commands, Vert.x-style {@code run}, the demo and the
 * simulation.
 */
@Command(
    name = "p2psync",
    mixinStandardHelpOptions = true,
    version = "p2psync 0.1.0",
    description =
        "Tracker-based peer-to-peer folder synchronizer, compatible with the course's seed protocol.",
    subcommands = {
      TrackerCommand.class,
      PeerCommand.class,
      RunCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      SimulateCommand.class,
      ToxiproxyCommand.class,
      StatusCommand.class,
      ConformCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns the exit code: 0 done, 1 failed, 2 wrong arguments. */
  public static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
  }
}
