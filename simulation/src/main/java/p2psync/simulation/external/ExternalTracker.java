package p2psync.simulation.external;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A tracker that is another program, run from a command template on one port for its whole life:
 * stopped and started again on the same port (a restart). Blocking: {@link #start} waits until it
 * accepts connections.
 */
public final class ExternalTracker {
  private final List<String> argv;
  private final String host;
  private final int port;
  private final Path cwd;
  private final Map<String, String> env;
  private final Path log;
  private final Duration startupTimeout;
  private volatile ExternalProgram program;

  public ExternalTracker(
      List<String> command,
      String host,
      Path cwd,
      Map<String, String> env,
      Path log,
      Duration startupTimeout)
      throws IOException {
    this.host = host;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      this.port = probe.getLocalPort();
    }
    this.argv = ExternalProgram.expand(command, host, port);
    this.cwd = cwd;
    this.env = Map.copyOf(env);
    this.log = log;
    this.startupTimeout = startupTimeout;
  }

  public int port() {
    return port;
  }

  public synchronized void start() throws IOException {
    if (program != null && program.isAlive()) {
      return;
    }
    program = ExternalProgram.start(argv, cwd, env, log);
    try {
      program.awaitPort(host, port, startupTimeout);
    } catch (IOException | RuntimeException e) {
      stop();
      throw e;
    }
  }

  public synchronized void stop() {
    if (program != null) {
      program.close();
      program = null;
    }
  }

  public List<String> argv() {
    return argv;
  }
}
