package p2psync.conform;

import static p2psync.simulation.HtmlPage.escape;
import static p2psync.simulation.HtmlPage.row;

import java.util.List;
import java.util.Locale;
import p2psync.simulation.HtmlPage;

/**
 * {@code report.html} of a conformance run: the verdict, the summary, and one row per case with
 * what the protocol says, the verdict and its evidence, and (folded) what went over the wire.
 * Self-contained, in the simulation report's style.
 */
final class ConformHtml {
  private ConformHtml() {}

  static String render(ConformReport report) {
    boolean ok = report.exitCode() == 0;
    StringBuilder html = HtmlPage.open("p2psync conform " + report.role());
    html.append("<h1>p2psync conform ")
        .append(escape(report.role()))
        .append(": <span class=\"")
        .append(ok ? "ok\">every required case passed" : "bad\">FAILED")
        .append("</span></h1>\n");
    if (report.error() != null) {
      html.append("<p class=\"bad\">").append(escape(report.error())).append("</p>\n");
    }
    html.append("<table>\n");
    row(html, "command", report.command());
    row(html, "run as", String.join(" ", report.argv()));
    row(html, "started", report.startedAt());
    row(html, "took", String.format(Locale.ROOT, "%.1f s", report.millis() / 1000.0));
    row(
        html,
        "result",
        report.passed()
            + " passed, "
            + report.failed()
            + " failed ("
            + report.requiredFailed()
            + " required), "
            + report.notApplicable()
            + " not applicable");
    html.append("</table>\n<h2>Cases</h2>\n")
        .append("<table><tr><th>case</th><th>required</th><th>what the protocol says</th>")
        .append("<th>result</th><th>evidence</th><th>ms</th></tr>\n");
    for (CaseResult c : report.cases()) {
      html.append("<tr id=\"")
          .append(escape(c.id()))
          .append("\"><td>")
          .append(escape(c.id()))
          .append("</td><td>")
          .append(c.required() ? "yes" : "no")
          .append("</td><td><b>")
          .append(escape(c.title()))
          .append("</b><br>")
          .append(escape(c.says()))
          .append("</td><td class=\"")
          .append(
              switch (c.result()) {
                case PASS -> "ok\">pass";
                case FAIL -> c.required() ? "bad\">FAIL" : "bad\">fail (not required)";
                case NOT_APPLICABLE -> "na\">not applicable";
              })
          .append("</td><td>")
          .append(escape(c.evidence()))
          .append(wire("sent", c.sent()))
          .append(wire("received", c.received()))
          .append("</td><td>")
          .append(c.millis())
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
    return HtmlPage.close(html);
  }

  private static String wire(String what, List<String> lines) {
    if (lines.isEmpty()) {
      return "";
    }
    StringBuilder out =
        new StringBuilder("<details><summary>")
            .append(what)
            .append(" (")
            .append(lines.size())
            .append(")</summary><pre>");
    lines.forEach(line -> out.append(escape(line)).append('\n'));
    return out.append("</pre></details>").toString();
  }
}
