package p2psync.simulation.external;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The program under test, run as an external process from a command line template whose {@code
 * {host}} and {@code {port}} are replaced. Its output goes to a log file, never to a pipe we would
 * have to drain. Stopped politely first, then forcibly, each with a bound.
 */
public final class ExternalProgram implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ExternalProgram.class.getName());
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final Process process;
  private final List<String> argv;

  private ExternalProgram(Process process, List<String> argv) {
    this.process = process;
    this.argv = argv;
  }

  /**
   * Splits a command line as a POSIX shell would for plain words and quotes ({@code '...'}, {@code
   * "..."}, backslash escapes), without running a shell: a shell in between would be the process we
   * stop, and its child would outlive us.
   */
  public static List<String> split(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\\' && i + 1 < command.length() && quote == 0) {
        word.append(command.charAt(++i));
        inWord = true;
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated " + quote + " quote in: " + command);
    }
    if (inWord) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
    return words;
  }

  /** The command's words with {@code {host}} and {@code {port}} replaced. */
  public static List<String> expand(String command, String host, int port) {
    return expand(split(command), host, port);
  }

  /** The words with {@code {host}} and {@code {port}} replaced. */
  public static List<String> expand(List<String> command, String host, int port) {
    List<String> words = new ArrayList<>();
    for (String word : command) {
      words.add(word.replace("{host}", host).replace("{port}", Integer.toString(port)));
    }
    return words;
  }

  /**
   * The words with every relative one that names an existing file or folder below {@code base} made
   * absolute: a peer runs in its own folder, where {@code python3
   * interop/python/fileSynchronizer.py} would name nothing.
   */
  public static List<String> anchored(List<String> argv, Path base) {
    List<String> words = new ArrayList<>();
    for (String word : argv) {
      Path path;
      try {
        path = Path.of(word);
      } catch (InvalidPathException e) {
        words.add(word);
        continue;
      }
      Path resolved = base.resolve(path);
      words.add(
          !path.isAbsolute() && !word.startsWith("-") && Files.exists(resolved)
              ? resolved.toAbsolutePath().normalize().toString()
              : word);
    }
    return words;
  }

  /** Starts the command in {@code cwd}, its output (both streams) appended to {@code log}. */
  public static ExternalProgram start(List<String> argv, Path cwd, Path log) throws IOException {
    return start(argv, cwd, Map.of(), log);
  }

  /** As {@link #start(List, Path, Path)}, with {@code env} added to the kit's environment. */
  public static ExternalProgram start(
      List<String> argv, Path cwd, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (cwd != null) {
      builder.directory(cwd.toFile());
    }
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    LOG.fine(() -> "starting " + argv);
    return new ExternalProgram(builder.start(), argv);
  }

  /**
   * Waits until {@code host:port} accepts a connection. Fails when the process exits first or the
   * deadline passes, saying which.
   */
  public void awaitPort(String host, int port, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            argv
                + " exited with code "
                + process.exitValue()
                + " before "
                + host
                + ":"
                + port
                + " accepted connections");
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(host, port), 500);
        return;
      } catch (IOException e) {
        last = e;
      }
      try {
        // polling is the only portable way to learn that another process listens
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + host + ":" + port, e);
      }
    }
    throw new IOException(
        host + ":" + port + " accepted no connection within " + timeout.toMillis() + " ms", last);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only once the process has ended. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Stops the process and whatever it started: destroy, then destroyForcibly after a bound. */
  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning(
            () -> argv + " ignored SIGTERM for " + STOP_GRACE.toSeconds() + " s: killing it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
