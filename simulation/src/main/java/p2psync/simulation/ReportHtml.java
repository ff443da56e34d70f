package p2psync.simulation;

import static p2psync.simulation.HtmlPage.escape;
import static p2psync.simulation.HtmlPage.row;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page (inline SVG and CSS, no script) with the figures, a
 * chart of converged peers over time with each fault's windows marked under it, the peers and any
 * broken invariant.
 */
final class ReportHtml {
  private static final int WIDTH = 960;
  private static final int CHART_HEIGHT = 240;
  private static final int ROW_HEIGHT = 16;
  private static final int LEFT = 120;
  private static final int RIGHT = 20;
  private static final String[] COLORS = {
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#808000"
  };

  private ReportHtml() {}

  static String render(SimulationReport report) {
    StringBuilder html = HtmlPage.open("p2psync simulation, seed " + report.seed());
    html.append("<h1>p2psync simulation: <span class=\"")
        .append(report.converged() ? "ok\">converged" : "bad\">NOT converged")
        .append("</span></h1>\n");
    if (report.reason() != null) {
      html.append("<p class=\"bad\">").append(escape(report.reason())).append("</p>\n");
    }
    html.append("<table>\n");
    row(html, "seed", String.valueOf(report.seed()));
    row(html, "peers", String.valueOf(report.peers()));
    row(html, "tracker nodes", String.valueOf(report.trackers()));
    row(
        html,
        "files",
        report.distinctFiles()
            + " names, "
            + size(report.distinctBytes())
            + " (up to "
            + report.filesPerPeer()
            + " per peer, largest up to "
            + size(report.maxFileSize())
            + ")");
    row(html, "faults", report.faults() + " for " + seconds(report.durationMillis()));
    row(html, "toxiproxy", report.toxiproxy());
    row(
        html,
        "first converged",
        report.firstConvergedMillis() < 0
            ? "never"
            : "at " + seconds(report.firstConvergedMillis()));
    row(
        html,
        "converged after the faults",
        report.convergedAfterFaultsMillis() < 0
            ? "no"
            : seconds(report.convergedAfterFaultsMillis()) + " after they stopped");
    row(html, "bytes moved", size(report.bytesMoved()));
    row(
        html,
        "transfers",
        report.transfersCompleted()
            + " completed, "
            + report.transfersFailed()
            + " failed and retried");
    row(html, "config", report.sync().encode());
    html.append("</table>\n<h2>Convergence over time</h2>\n").append(chart(report));
    html.append(
        "<h2>Peers</h2>\n<table><tr><th>peer</th><th>role</th><th>party</th><th>transfers</th><th>failed</th><th>downloaded</th><th>running at the end</th></tr>\n");
    for (SimulationReport.PeerSummary peer : report.peerSummaries()) {
      html.append("<tr><td>")
          .append(peer.name())
          .append("</td><td>")
          .append(peer.role())
          .append("</td><td>")
          .append(escape(peer.party()))
          .append("</td><td>")
          .append(peer.completed())
          .append("</td><td>")
          .append(peer.failed())
          .append("</td><td>")
          .append(size(peer.bytes()))
          .append("</td><td>")
          .append(peer.alive() ? "yes" : "no")
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
    if (report.trackerStatus() != null) {
      html.append(grid(report.trackerStatus()));
    }
    html.append("<h2>Invariants</h2>\n");
    if (report.violations().isEmpty()) {
      html.append(
          "<p class=\"ok\">None broken: no partial file under a real name in any sample, every folder as expected, no file outside the folders, every peer running.</p>\n");
    } else {
      html.append("<ul class=\"bad\">\n");
      report.violations().forEach(v -> html.append("<li>").append(escape(v)).append("</li>\n"));
      html.append("</ul>\n");
    }
    return HtmlPage.close(html);
  }

  /**
   * The dashboard's names x peers grid (same colours) for the tracker's final status: what each
   * peer had advertised against the newest version of each name.
   */
  static String grid(JsonObject status) {
    List<JsonObject> peers = new ArrayList<>();
    status.getJsonArray("peers").forEach(p -> peers.add((JsonObject) p));
    StringBuilder html =
        new StringBuilder(
            "<h2>Final state: names x peers, as the tracker saw it</h2>\n<p>"
                + "<span class=\"cell current\"></span> newest "
                + "<span class=\"cell older\"></span> older "
                + "<span class=\"cell missing\"></span> missing</p>\n"
                + "<table class=\"grid\"><tr><th>name</th>");
    for (JsonObject peer : peers) {
      html.append("<th title=\"")
          .append(escape(peer.getString("address")))
          .append("\">")
          .append(escape(peer.getString("label", peer.getString("address"))))
          .append("</th>");
    }
    html.append("</tr>\n");
    for (Object o : status.getJsonArray("names")) {
      JsonObject name = (JsonObject) o;
      String text = name.getString("name");
      html.append("<tr><td>").append(escape(text)).append("</td>");
      for (JsonObject peer : peers) {
        Long held = peer.getJsonObject("files").getLong(text);
        String state =
            held == null ? "missing" : held >= name.getLong("mtime") ? "current" : "older";
        html.append("<td class=\"cell ").append(state).append("\"></td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</table>\n").toString();
  }

  /** Converged peers as a step line; under it one row per fault with its windows. */
  private static String chart(SimulationReport report) {
    List<Fault> faults = new ArrayList<>();
    report
        .windows()
        .forEach(
            w -> {
              if (!faults.contains(w.fault())) {
                faults.add(w.fault());
              }
            });
    List<Simulation.Sample> samples = report.timeline();
    long span =
        Math.max(
            1,
            Math.max(
                report.totalMillis(),
                samples.isEmpty() ? 1 : samples.get(samples.size() - 1).millis()));
    int expected = samples.isEmpty() ? 1 : Math.max(1, samples.get(0).expected());
    int plot = WIDTH - LEFT - RIGHT;
    int height = CHART_HEIGHT + 30 + faults.size() * ROW_HEIGHT + 10;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\" aria-label=\"converged peers over time\">\n");
    svg.append("<rect x=\"")
        .append(LEFT)
        .append("\" y=\"10\" width=\"")
        .append(plot)
        .append("\" height=\"")
        .append(CHART_HEIGHT)
        .append("\" fill=\"#fafafa\" stroke=\"#999\"/>\n");
    // fault windows shaded on the chart too, so a dip lines up with its cause
    for (FaultPlan.Window w : report.windows()) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.06\"/>\n",
              x(w.startMillis(), span, plot),
              Math.max(1, x(w.endMillis(), span, plot) - x(w.startMillis(), span, plot)),
              CHART_HEIGHT,
              COLORS[w.fault().ordinal() % COLORS.length]));
    }
    StringBuilder points = new StringBuilder();
    double previousY = -1;
    for (Simulation.Sample s : samples) {
      double x = x(s.millis(), span, plot);
      double y = 10 + CHART_HEIGHT - (double) s.converged() / expected * CHART_HEIGHT;
      if (previousY >= 0) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, previousY));
      }
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      previousY = y;
    }
    svg.append("<polyline fill=\"none\" stroke=\"#1a5fb4\" stroke-width=\"2\" points=\"")
        .append(points)
        .append("\"/>\n");
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"10\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>"
                + "<text x=\"%.1f\" y=\"22\" text-anchor=\"end\">faults stop</text>\n",
            x(report.durationMillis(), span, plot),
            x(report.durationMillis(), span, plot),
            10 + CHART_HEIGHT,
            x(report.durationMillis(), span, plot) - 4));
    svg.append("<text x=\"")
        .append(LEFT - 8)
        .append("\" y=\"18\" text-anchor=\"end\">")
        .append(expected)
        .append(" peers</text>\n");
    svg.append("<text x=\"")
        .append(LEFT - 8)
        .append("\" y=\"")
        .append(10 + CHART_HEIGHT)
        .append("\" text-anchor=\"end\">0</text>\n");
    for (int tick = 0; tick <= 10; tick++) {
      long millis = span * tick / 10;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              x(millis, span, plot),
              CHART_HEIGHT + 26,
              seconds(millis)));
    }
    int top = CHART_HEIGHT + 36;
    for (int row = 0; row < faults.size(); row++) {
      Fault fault = faults.get(row);
      int y = top + row * ROW_HEIGHT;
      String color = COLORS[fault.ordinal() % COLORS.length];
      svg.append("<text x=\"")
          .append(LEFT - 8)
          .append("\" y=\"")
          .append(y + 11)
          .append("\" text-anchor=\"end\">")
          .append(fault.cliName())
          .append("</text>\n");
      for (FaultPlan.Window w : report.windows()) {
        if (w.fault() == fault) {
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.5\"><title>%s on %s, %s to %s</title></rect>\n",
                  x(w.startMillis(), span, plot),
                  y + 2,
                  Math.max(1, x(w.endMillis(), span, plot) - x(w.startMillis(), span, plot)),
                  ROW_HEIGHT - 4,
                  color,
                  fault.cliName(),
                  w.target(),
                  seconds(w.startMillis()),
                  seconds(w.endMillis())));
        }
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static double x(long millis, long span, int plot) {
    return LEFT + (double) Math.min(millis, span) / span * plot;
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  /**
   * Binary units, as the rest of the report and the progress line: {@code 512 B}, {@code 12.5 KiB},
   * {@code 3.25 MiB}.
   */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
  }
}
