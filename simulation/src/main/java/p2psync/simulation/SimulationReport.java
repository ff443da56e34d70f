package p2psync.simulation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a simulation did and found: the run's settings, whether and when the peers converged, what
 * moved, the fault windows, the timeline of samples, any invariant broken, and the tracker's {@code
 * /api/status} at the end ({@code trackerStatus}; null when no tracker answered).
 */
public record SimulationReport(
    long seed,
    int peers,
    int trackers,
    int filesPerPeer,
    long maxFileSize,
    String faults,
    long durationMillis,
    String toxiproxy,
    JsonObject sync,
    boolean converged,
    String reason,
    long firstConvergedMillis,
    long convergedAfterFaultsMillis,
    long totalMillis,
    int distinctFiles,
    long distinctBytes,
    long bytesMoved,
    long transfersCompleted,
    long transfersFailed,
    List<PeerSummary> peerSummaries,
    List<FaultPlan.Window> windows,
    List<Simulation.Sample> timeline,
    List<String> violations,
    JsonObject trackerStatus) {

  /**
   * One peer at the end: its part in the churn, its transfers over all its runs, whether it ran to
   * the end.
   */
  /** One peer at the end; {@code party} says whose program it is (ours, or the external one). */
  public record PeerSummary(
      String name,
      String role,
      String party,
      long completed,
      long failed,
      long bytes,
      boolean alive) {}

  public JsonObject toJson() {
    JsonArray peerArray = new JsonArray();
    peerSummaries.forEach(
        p ->
            peerArray.add(
                new JsonObject()
                    .put("name", p.name())
                    .put("role", p.role())
                    .put("party", p.party())
                    .put("transfersCompleted", p.completed())
                    .put("transfersFailed", p.failed())
                    .put("bytesDownloaded", p.bytes())
                    .put("alive", p.alive())));
    JsonArray windowArray = new JsonArray();
    windows.forEach(
        w ->
            windowArray.add(
                new JsonObject()
                    .put("fault", w.fault().cliName())
                    .put("target", w.target())
                    .put("startMillis", w.startMillis())
                    .put("endMillis", w.endMillis())
                    .put("level", w.level())));
    JsonArray samples = new JsonArray();
    timeline.forEach(
        s ->
            samples.add(
                new JsonObject()
                    .put("millis", s.millis())
                    .put("converged", s.converged())
                    .put("expected", s.expected())
                    .put("transfersCompleted", s.completed())
                    .put("transfersFailed", s.failed())
                    .put("bytesMoved", s.bytes())
                    .put("activeFaults", new JsonArray(s.activeFaults()))));
    return new JsonObject()
        .put("converged", converged)
        .put("reason", reason)
        .put("seed", seed)
        .put("peers", peers)
        .put("trackers", trackers)
        .put("filesPerPeer", filesPerPeer)
        .put("maxFileSize", maxFileSize)
        .put("faults", faults)
        .put("durationMillis", durationMillis)
        .put("toxiproxy", toxiproxy)
        .put("sync", sync)
        .put("firstConvergedMillis", firstConvergedMillis)
        .put("convergedAfterFaultsMillis", convergedAfterFaultsMillis)
        .put("totalMillis", totalMillis)
        .put("distinctFiles", distinctFiles)
        .put("distinctBytes", distinctBytes)
        .put("bytesMoved", bytesMoved)
        .put("transfersCompleted", transfersCompleted)
        .put("transfersFailed", transfersFailed)
        .put("violations", new JsonArray(violations))
        .put("peerSummaries", peerArray)
        .put("windows", windowArray)
        .put("timeline", samples)
        .put("trackerStatus", trackerStatus);
  }

  /** Writes {@code report.json} and {@code report.html} into {@code dir}, creating it. */
  public void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("report.json"), toJson().encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.html"), ReportHtml.render(this), StandardCharsets.UTF_8);
  }

  /** One line for a terminal or a test failure. */
  public String summary() {
    return (converged ? "converged" : "NOT converged: " + reason)
        + String.format(
            " | %d peers%s, %d files (%.1f MiB), faults %s for %.1fs, seed %d",
            peers,
            trackers > 1 ? " on " + trackers + " tracker nodes" : "",
            distinctFiles,
            distinctBytes / 1048576.0,
            faults,
            durationMillis / 1000.0,
            seed)
        + (converged
            ? String.format(
                " | converged %.1fs after the faults stopped (first at %.1fs)",
                convergedAfterFaultsMillis / 1000.0, firstConvergedMillis / 1000.0)
            : "")
        + String.format(
            " | %d transfers, %d failed and retried, %.1f MiB moved",
            transfersCompleted, transfersFailed, bytesMoved / 1048576.0);
  }
}
