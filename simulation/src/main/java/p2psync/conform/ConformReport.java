package p2psync.conform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A conformance run as {@code report.json}: what was tested, how, and every case's result. {@code
 * error} is set when the run could not play its cases (the program did not start).
 */
public record ConformReport(
    String role,
    String command,
    List<String> argv,
    String host,
    int port,
    String startedAt,
    long millis,
    String error,
    int passed,
    int failed,
    int notApplicable,
    int requiredFailed,
    List<CaseResult> cases) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** 0 when every required case passed, 1 otherwise (also when nothing could be played). */
  public int exitCode() {
    return error == null && requiredFailed == 0 ? 0 : 1;
  }

  static ConformReport of(
      String role,
      String command,
      List<String> argv,
      String host,
      int port,
      String startedAt,
      long millis,
      String error,
      List<CaseResult> cases) {
    return new ConformReport(
        role,
        command,
        argv,
        host,
        port,
        startedAt,
        millis,
        error,
        count(cases, Verdict.PASS),
        count(cases, Verdict.FAIL),
        count(cases, Verdict.NOT_APPLICABLE),
        (int) cases.stream().filter(CaseResult::failsRun).count(),
        cases);
  }

  private static int count(List<CaseResult> cases, Verdict verdict) {
    return (int) cases.stream().filter(c -> c.result() == verdict).count();
  }

  /** Writes {@code report.json} and {@code report.html} into {@code dir}, creating it. */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("report.json");
    JSON.writeValue(file.toFile(), this);
    Files.writeString(dir.resolve("report.html"), ConformHtml.render(this), StandardCharsets.UTF_8);
    return file;
  }

  public static ConformReport read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), ConformReport.class);
  }
}
