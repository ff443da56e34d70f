package p2psync.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code p2psync status HOST:PORT}: a tracker's or a peer's {@code /api/status} as terminal tables,
 * for people without a browser. Blocking HTTP on the main thread: no Vert.x needed here.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show the status of a tracker or a peer started with --http-port, read from"
            + " http://HOST:PORT/api/status.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Its HTTP endpoint.")
  String endpoint;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long to wait for the answer (default 5s).")
  Duration timeout = Duration.ofSeconds(5);

  @Option(names = "--json", description = "Print the JSON as it came.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    URI uri = uri(endpoint);
    JsonObject status;
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .build()
              .send(
                  HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        System.err.println("p2psync: " + uri + " answered HTTP " + response.statusCode());
        return 1;
      }
      status = new JsonObject(response.body());
    } catch (IOException | DecodeException e) {
      System.err.println("p2psync: cannot read " + uri + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    PrintStream out = System.out;
    if (json) {
      out.println(status.encodePrettily());
    } else if ("tracker".equals(status.getString("role"))) {
      printTracker(out, status);
    } else {
      printPeer(out, status);
    }
    return 0;
  }

  private URI uri(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new IllegalArgumentException("no port");
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      String host = hostPort.substring(0, colon);
      if (host.contains(":") && !host.startsWith("[")) {
        host = "[" + host + "]"; // an IPv6 literal
      }
      return new URI("http", null, host, port, "/api/status", null, null);
    } catch (Exception e) {
      throw new ParameterException(
          spec.commandLine(),
          "HOST:PORT expected, got '" + hostPort + "' (" + e.getMessage() + ")");
    }
  }

  static void printTracker(PrintStream out, JsonObject status) {
    JsonObject totals = status.getJsonObject("totals", new JsonObject());
    long now = status.getLong("time", System.currentTimeMillis());
    out.printf(
        "tracker: %d peers (%d converged), %d names, directory version %d%n",
        totals.getInteger("peers", 0),
        totals.getInteger("convergedPeers", 0),
        totals.getInteger("names", 0),
        totals.getLong("version", 0L));
    JsonArray nodes = status.getJsonObject("cluster", new JsonObject()).getJsonArray("nodes");
    if (nodes != null && !nodes.isEmpty()) {
      out.println(
          "cluster nodes: " + String.join(", ", nodes.stream().map(String::valueOf).toList()));
    }
    out.println();
    List<List<String>> peers = new ArrayList<>();
    peers.add(List.of("PEER", "KIND", "CONNECTED", "LAST MESSAGE", "NAMES", "LACKING"));
    for (JsonObject peer : objects(status.getJsonArray("peers"))) {
      peers.add(
          List.of(
              peer.getString("address", "?"),
              peer.getString("kind", "?") + (peer.getBoolean("local", true) ? "" : " (other node)"),
              ago(now, peer.getLong("connectedSince", 0L)),
              ago(now, peer.getLong("lastMessage", 0L)),
              String.valueOf(peer.getInteger("namesHeld", 0)),
              String.valueOf(peer.getInteger("lacking", 0))));
    }
    table(out, peers);
    out.println();
    List<List<String>> names = new ArrayList<>();
    names.add(List.of("NAME", "NEWEST AT", "MTIME", "PEERS"));
    for (JsonObject name : objects(status.getJsonArray("names"))) {
      names.add(
          List.of(
              name.getString("name", "?"),
              name.getString("winner", "?"),
              String.valueOf(name.getLong("mtime", 0L)),
              String.valueOf(name.getInteger("holders", 0))));
    }
    table(out, names);
  }

  static void printPeer(PrintStream out, JsonObject status) {
    JsonObject tracker = status.getJsonObject("tracker", new JsonObject());
    JsonObject transfers = status.getJsonObject("transfers", new JsonObject());
    out.printf(
        "peer: %s, serving on port %d; tracker %s (%s); downloads: %d done, %d failed%n",
        status.getString("folder", "?"),
        status.getInteger("port", 0),
        tracker.getString("address", "?"),
        tracker.getBoolean("connected", false) ? "connected" : "not connected",
        transfers.getLong("completed", 0L),
        transfers.getLong("failed", 0L));
    out.println();
    List<List<String>> files = new ArrayList<>();
    files.add(List.of("FILE", "MTIME"));
    status
        .getJsonObject("files", new JsonObject())
        .forEach(e -> files.add(List.of(e.getKey(), String.valueOf(e.getValue()))));
    table(out, files);
    out.println();
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("TRANSFER", "FROM", "BYTES", "SPEED", "RESULT"));
    List<JsonObject> all = new ArrayList<>(objects(transfers.getJsonArray("running")));
    all.addAll(objects(transfers.getJsonArray("recent")));
    for (JsonObject t : all) {
      String result = t.getString("result", "?");
      if (t.getString("reason") != null) {
        result += ": " + t.getString("reason");
      }
      rows.add(
          List.of(
              t.getString("name", "?"),
              t.getString("source", "?"),
              String.valueOf(t.getLong("bytes", 0L)),
              t.getLong("bytesPerSecond", 0L) / 1024 + " KiB/s",
              result));
    }
    table(out, rows);
    JsonObject sync = status.getJsonObject("sync");
    if (sync != null) {
      out.println();
      printSync(out, sync, System.currentTimeMillis());
    }
  }

  /** A v2 peer's sync state: deletions it holds, its trash and the conflict copies it made. */
  static void printSync(PrintStream out, JsonObject sync, long now) {
    JsonObject trash = sync.getJsonObject("trash", new JsonObject());
    JsonObject conflicts = sync.getJsonObject("conflictCopies", new JsonObject());
    int trashFiles = trash.getInteger("files", 0);
    out.printf(
        "sync: %d tombstones; trash: %s; conflict copies made: %d%n",
        sync.getInteger("tombstones", 0),
        trashFiles < 0
            ? "cannot be read"
            : trashFiles
                + (trashFiles == 1 ? " file, " : " files, ")
                + trash.getLong("bytes", 0L)
                + " bytes",
        conflicts.getLong("made", 0L));
    List<JsonObject> entries = objects(trash.getJsonArray("entries"));
    if (!entries.isEmpty()) {
      out.println();
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("TRASHED", "SIZE", "WHEN"));
      for (JsonObject entry : entries) {
        rows.add(
            List.of(
                entry.getString("name", "?"),
                String.valueOf(entry.getLong("size", 0L)),
                ago(now, entry.getLong("trashedAt", 0L))));
      }
      table(out, rows);
    }
    JsonArray recent = conflicts.getJsonArray("recent", new JsonArray());
    if (!recent.isEmpty()) {
      out.println();
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("CONFLICT COPY"));
      recent.forEach(name -> rows.add(List.of(String.valueOf(name))));
      table(out, rows);
    }
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> all = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        if (o instanceof JsonObject object) {
          all.add(object);
        }
      }
    }
    return all;
  }

  private static String ago(long now, long then) {
    return then <= 0 ? "-" : Math.max(0, (now - then) / 1000) + " s ago";
  }

  /** Columns padded to their widest cell, two spaces apart. */
  static void table(PrintStream out, List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(
            i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
