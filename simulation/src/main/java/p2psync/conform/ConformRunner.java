package p2psync.conform;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import p2psync.simulation.Blocking;
import p2psync.simulation.external.ExternalProgram;

/**
 * Runs a catalogue against a program under test, prints one table line per case as it ends, writes
 * {@code report.json} and {@code report.html}, and stops every program it started whatever
 * happened. A tracker is started once for all its cases; a peer once per case, in a fresh folder.
 */
public final class ConformRunner {
  private static final Logger LOG = Logger.getLogger(ConformRunner.class.getName());
  private static final String ROW = "%-5s %-4s %-48s %-8s %s%n";

  /**
   * What tracker to test and how; {@code cwd} may be null (the kit's own working directory); {@code
   * only}: the ids of the cases to play, empty for all.
   */
  public record Options(
      String command,
      String host,
      Path cwd,
      Duration startupTimeout,
      Path reportDir,
      TrackerProbe.Timeouts timeouts,
      Set<String> only) {
    public Options(
        String command,
        String host,
        Path cwd,
        Duration startupTimeout,
        Path reportDir,
        TrackerProbe.Timeouts timeouts) {
      this(command, host, cwd, startupTimeout, reportDir, timeouts, Set.of());
    }
  }

  /**
   * What peer to test and how: each case runs the command in its own folder under {@code
   * reportDir}/cases, {@code parallel} cases at a time (each case's own ports and folder, so they
   * never meet); {@code env} is added to the peer's environment; relative paths in the command are
   * found from {@code commandBase}; {@code only}: the ids of the cases to play, empty for all.
   */
  public record PeerOptions(
      String command,
      String host,
      Path commandBase,
      Map<String, String> env,
      Duration startupTimeout,
      Path reportDir,
      PeerProbe.Timings timings,
      int parallel,
      boolean hugeFile,
      Set<String> only) {
    public PeerOptions(
        String command,
        String host,
        Path commandBase,
        Map<String, String> env,
        Duration startupTimeout,
        Path reportDir,
        PeerProbe.Timings timings,
        int parallel,
        boolean hugeFile) {
      this(
          command,
          host,
          commandBase,
          env,
          startupTimeout,
          reportDir,
          timings,
          parallel,
          hugeFile,
          Set.of());
    }
  }

  /** Hands out each case's probe; closed after the last case. */
  private interface Session<P extends Probe> extends AutoCloseable {
    P probe(ConformCase<P> c) throws IOException;

    /** Called when a case ended, with its result. */
    default void ended(ConformCase<P> c, CaseResult result) {}

    @Override
    default void close() {}
  }

  private ConformRunner() {}

  /** {@code conform tracker}: the tracker catalogue against {@code options.command()}. */
  public static ConformReport runTracker(Options options, PrintStream out) throws IOException {
    List<ConformCase<TrackerProbe>> cases = select(TrackerCases.all(), options.only());
    Files.createDirectories(options.reportDir());
    int port = freePort(options.host());
    List<String> argv = ExternalProgram.expand(options.command(), options.host(), port);
    Path log = options.reportDir().resolve("program.log");
    Files.deleteIfExists(log);
    out.printf("conform tracker: %s (port %d, output in %s)%n", String.join(" ", argv), port, log);
    // names unique to this run, so a tracker that outlives one run never mixes two
    String prefix = "conform-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    return run(
        "tracker",
        options.command(),
        argv,
        options.host(),
        port,
        options.reportDir(),
        1,
        out,
        cases,
        () -> {
          ExternalProgram program = ExternalProgram.start(argv, options.cwd(), log);
          try {
            program.awaitPort(options.host(), port, options.startupTimeout());
          } catch (IOException | RuntimeException e) {
            program.close();
            throw e;
          }
          return new Session<TrackerProbe>() {
            @Override
            public TrackerProbe probe(ConformCase<TrackerProbe> c) {
              return new TrackerProbe(
                  options.host(), port, prefix + c.id() + "-", options.timeouts());
            }

            @Override
            public void close() {
              program.close();
            }
          };
        });
  }

  /** {@code conform peer}: the peer catalogue, each case against a fresh run of the command. */
  public static ConformReport runPeer(PeerOptions options, PrintStream out) throws IOException {
    List<ConformCase<PeerProbe>> selected = select(PeerCases.all(), options.only());
    Path cases = options.reportDir().resolve("cases");
    Blocking.deleteTree(cases);
    Files.createDirectories(cases);
    String command = options.command();
    // the peer runs in its case folder: a relative script path must still name the script
    List<String> anchored =
        ExternalProgram.anchored(
            ExternalProgram.split(command), options.commandBase().toAbsolutePath());
    PeerProbe.Settings settings =
        new PeerProbe.Settings(
            anchored,
            options.host(),
            options.env(),
            options.startupTimeout(),
            options.timings(),
            options.hugeFile());
    out.printf(
        "conform peer: %s (each case in its folder under %s, %d at a time)%n",
        String.join(" ", anchored), cases, options.parallel());
    Session<PeerProbe> session =
        new Session<>() {
          @Override
          public PeerProbe probe(ConformCase<PeerProbe> c) throws IOException {
            Path root = cases.resolve(c.id());
            return new PeerProbe(settings, root, root.resolve("program.log"));
          }

          @Override
          public void ended(ConformCase<PeerProbe> c, CaseResult result) {
            if (result.result() == Verdict.FAIL) {
              return; // a failed case keeps its folder and log: they are evidence
            }
            try {
              Blocking.deleteTree(cases.resolve(c.id()).resolve("folder"));
            } catch (IOException e) {
              LOG.log(Level.WARNING, "could not clean up the folder of " + c.id(), e);
            }
          }
        };
    return run(
        "peer",
        command,
        anchored,
        options.host(),
        0,
        options.reportDir(),
        options.parallel(),
        out,
        selected,
        () -> session);
  }

  /**
   * The cases whose ids are in {@code only} (all when it is empty), in catalogue order; an id that
   * names no case is an error, so a typo never passes as "every required case passed".
   */
  public static <P> List<ConformCase<P>> select(List<ConformCase<P>> all, Set<String> only) {
    if (only.isEmpty()) {
      return all;
    }
    Set<String> ids = new HashSet<>();
    all.forEach(c -> ids.add(c.id()));
    List<String> unknown = only.stream().filter(id -> !ids.contains(id)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no such case: " + String.join(", ", unknown));
    }
    return all.stream().filter(c -> only.contains(c.id())).toList();
  }

  /** Opens a session: starts what the whole run shares, or fails saying why. */
  @FunctionalInterface
  private interface Opener<P extends Probe> {
    Session<P> open() throws IOException;
  }

  private static <P extends Probe> ConformReport run(
      String role,
      String command,
      List<String> argv,
      String host,
      int port,
      Path reportDir,
      int parallel,
      PrintStream out,
      List<ConformCase<P>> cases,
      Opener<P> opener)
      throws IOException {
    Files.createDirectories(reportDir);
    Instant startedAt = Instant.now();
    long start = System.nanoTime();
    CaseResult[] results = new CaseResult[cases.size()];
    String error = null;
    try (Session<P> session = opener.open()) {
      out.printf(ROW, "case", "req", "title", "result", "evidence");
      ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallel));
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
          int index = i;
          running.add(
              pool.submit(
                  () -> {
                    ConformCase<P> c = cases.get(index);
                    CaseResult result = play(c, session);
                    results[index] = result;
                    session.ended(c, result);
                    synchronized (out) {
                      out.printf(
                          ROW,
                          result.id(),
                          result.required() ? "yes" : "no",
                          result.title(),
                          result.result().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                          Transcript.clip(result.evidence()));
                      out.flush();
                    }
                  }));
        }
        for (Future<?> f : running) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while playing the cases", e);
      } catch (ExecutionException e) {
        throw new IOException("a case could not be played", e.getCause());
      } finally {
        pool.shutdownNow();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "conform " + role + " could not play its cases", e);
      error = describe(e);
      out.println("error: " + error);
    }
    List<CaseResult> played = Arrays.stream(results).filter(r -> r != null).toList();
    ConformReport report =
        ConformReport.of(
            role,
            command,
            argv,
            host,
            port,
            startedAt.toString(),
            (System.nanoTime() - start) / 1_000_000,
            error,
            played);
    Path written = report.write(reportDir);
    out.printf(
        "%d passed, %d failed (%d required), %d not applicable; report: %s%n",
        report.passed(), report.failed(), report.requiredFailed(), report.notApplicable(), written);
    return report;
  }

  private static <P extends Probe> CaseResult play(ConformCase<P> c, Session<P> session) {
    long start = System.nanoTime();
    Outcome outcome;
    P probe = null;
    try {
      probe = session.probe(c);
      try (P open = probe) {
        outcome = c.check().run(open);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.log(Level.FINE, c.id() + " failed with an exception", e);
      outcome = Outcome.fail(describe(e));
    }
    Transcript transcript = probe == null ? new Transcript() : probe.transcript();
    return new CaseResult(
        c.id(),
        c.title(),
        c.says(),
        c.required(),
        outcome.verdict(),
        outcome.evidence(),
        transcript.sent(),
        transcript.received(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /** An exception and its causes on one line: the report must say why, not only what. */
  static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append(" (caused by ").append(cause).append(')');
    }
    return text.toString();
  }

  /** A port the OS says is free now; the program under test binds it a moment later. */
  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }
}
