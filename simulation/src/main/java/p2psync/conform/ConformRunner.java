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
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a catalogue against a program under test: starts it on a free port, plays each case on the
 * kit's own thread, prints one table line per case as it ends, writes {@code report.json}, and
 * stops the program whatever happened.
 */
public final class ConformRunner {
  private static final Logger LOG = Logger.getLogger(ConformRunner.class.getName());

  /** What to test and how; {@code cwd} may be null (the kit's own working directory). */
  public record Options(
      String command,
      String host,
      Path cwd,
      Duration startupTimeout,
      Path reportDir,
      TrackerProbe.Timeouts timeouts) {}

  private ConformRunner() {}

  /** {@code conform tracker}: the tracker catalogue against {@code options.command()}. */
  public static ConformReport runTracker(Options options, PrintStream out) throws IOException {
    // names unique to this run, so a tracker that outlives one run never mixes two
    String prefix = "conform-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    return run(
        "tracker",
        options,
        out,
        TrackerCases.all(),
        (c, port) ->
            new TrackerProbe(options.host(), port, prefix + c.id() + "-", options.timeouts()));
  }

  private static <P extends Probe> ConformReport run(
      String role,
      Options options,
      PrintStream out,
      List<ConformCase<P>> cases,
      BiFunction<ConformCase<P>, Integer, P> probes)
      throws IOException {
    Files.createDirectories(options.reportDir());
    int port = freePort(options.host());
    List<String> argv = ExternalProgram.expand(options.command(), options.host(), port);
    Instant startedAt = Instant.now();
    long start = System.nanoTime();
    List<CaseResult> results = new ArrayList<>();
    String error = null;
    Path log = options.reportDir().resolve("program.log");
    Files.deleteIfExists(log);
    out.printf("conform %s: %s (port %d, output in %s)%n", role, String.join(" ", argv), port, log);
    try (ExternalProgram program = ExternalProgram.start(argv, options.cwd(), log)) {
      program.awaitPort(options.host(), port, options.startupTimeout());
      out.printf("%-5s %-4s %-40s %-8s %s%n", "case", "req", "title", "result", "evidence");
      for (ConformCase<P> c : cases) {
        CaseResult result = play(c, probes.apply(c, port));
        results.add(result);
        out.printf(
            "%-5s %-4s %-40s %-8s %s%n",
            result.id(),
            result.required() ? "yes" : "no",
            result.title(),
            result.result().name().toLowerCase(Locale.ROOT).replace('_', '-'),
            Transcript.clip(result.evidence()));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "conform " + role + " could not play its cases", e);
      error = describe(e);
      out.println("error: " + error);
    }
    ConformReport report =
        ConformReport.of(
            role,
            options.command(),
            argv,
            options.host(),
            port,
            startedAt.toString(),
            (System.nanoTime() - start) / 1_000_000,
            error,
            results);
    Path written = report.write(options.reportDir());
    out.printf(
        "%d passed, %d failed (%d required), %d not applicable; report: %s%n",
        report.passed(), report.failed(), report.requiredFailed(), report.notApplicable(), written);
    return report;
  }

  private static <P extends Probe> CaseResult play(ConformCase<P> c, P probe) {
    long start = System.nanoTime();
    Outcome outcome;
    try (probe) {
      outcome = c.check().run(probe);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.log(Level.FINE, c.id() + " failed with an exception", e);
      outcome = Outcome.fail(describe(e));
    }
    return new CaseResult(
        c.id(),
        c.title(),
        c.says(),
        c.required(),
        outcome.verdict(),
        outcome.evidence(),
        probe.transcript().sent(),
        probe.transcript().received(),
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
