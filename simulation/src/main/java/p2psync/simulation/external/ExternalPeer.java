package p2psync.simulation.external;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that is another program: started from a command template in its folder (its working
 * directory, as a seed peer is run) against {@code relayHost:relayPort}, which a {@link PortRelay}
 * holds for it; stopped and started again on the same folder. Its output goes to {@code log}.
 */
public final class ExternalPeer {
  private final List<String> argv;
  private final Path folder;
  private final Map<String, String> env;
  private final Path log;
  private volatile ExternalProgram program;

  /** Started and not stopped since: a run that ends on its own is an exit. */
  private boolean wanted;

  private final AtomicInteger exits = new AtomicInteger();

  public ExternalPeer(
      List<String> command,
      String relayHost,
      int relayPort,
      Path folder,
      Map<String, String> env,
      Path log) {
    this.argv = ExternalProgram.expand(command, relayHost, relayPort);
    this.folder = folder;
    this.env = Map.copyOf(env);
    this.log = log;
  }

  public synchronized void start() throws IOException {
    wanted = true;
    if (program == null || !program.isAlive()) {
      program = ExternalProgram.start(argv, folder, env, log);
    }
  }

  /**
   * Starts the program again when it ended on its own while wanted, as a supervisor would: a seed
   * peer exits when its tracker connection fails (the protocol allows it). Counted in {@link
   * #exits()}. Returns whether it restarted.
   */
  public synchronized boolean restartIfExited() throws IOException {
    if (!wanted || program == null || program.isAlive()) {
      return false;
    }
    exits.incrementAndGet();
    program = ExternalProgram.start(argv, folder, env, log);
    return true;
  }

  /** Times the program ended on its own and was started again. */
  public int exits() {
    return exits.get();
  }

  /** Stops the program (politely, then forcibly); its folder stays. */
  public synchronized void stop() {
    wanted = false;
    if (program != null) {
      program.close();
      program = null;
    }
  }

  public boolean isAlive() {
    ExternalProgram running = program;
    return running != null && running.isAlive();
  }

  public List<String> argv() {
    return argv;
  }
}
