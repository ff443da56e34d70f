package p2psync.tracker.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.Set;
import p2psync.common.FileEntry;
import p2psync.common.SyncConfig;
import p2psync.common.web.HttpOptions;
import p2psync.common.web.WebEndpoint;
import p2psync.tracker.TrackerStatus;
import p2psync.tracker.TrackerVerticle;

/**
 * The tracker's HTTP endpoint: {@code GET /api/status} (JSON), {@code GET /metrics} (Prometheus),
 * {@code GET /} (the dashboard, one self-contained page) and {@code GET /api/events} (server-sent
 * events: the status again whenever it changed, which the dashboard redraws from).
 *
 * <p>Made and started in the tracker's {@code start()}, so every handler and the push timer run on
 * the tracker's event loop.
 */
public final class TrackerWeb {
  private static final Logger LOG = System.getLogger(TrackerWeb.class.getName());
  private static final String DASHBOARD = "/p2psync/tracker/web/dashboard.html";

  /** Pushed at least this many intervals apart even without a change, so ages stay current. */
  private static final int REFRESH_INTERVALS = 5;

  private final Vertx vertx;
  private final TrackerVerticle tracker;
  private final SyncConfig config;
  private final WebEndpoint endpoint;
  private final Set<HttpServerResponse> watchers = new HashSet<>();
  private Buffer page;
  private long timer = -1;
  private String lastKey = "";
  private int quietIntervals;

  public TrackerWeb(
      Vertx vertx, TrackerVerticle tracker, PrometheusMeterRegistry meters, SyncConfig config) {
    this.vertx = vertx;
    this.tracker = tracker;
    this.config = config;
    endpoint = new WebEndpoint(vertx, () -> tracker.status().map(TrackerWeb::toJson), meters);
    endpoint
        .router()
        .get("/")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(page));
    endpoint.router().get("/api/events").handler(ctx -> watch(ctx.response()));
  }

  /** Loads the page (off the event loop), then listens; completes with the actual port. */
  public Future<Integer> listen(HttpOptions options) {
    return vertx
        .executeBlocking(TrackerWeb::loadPage)
        .compose(
            loaded -> {
              page = loaded;
              timer =
                  vertx.setPeriodic(
                      config.getStatusPushInterval().toMillis(), id -> pushIfChanged());
              return endpoint.listen(vertx, options, "tracker");
            });
  }

  public int port() {
    return endpoint.port();
  }

  public Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    for (HttpServerResponse watcher : watchers) {
      if (!watcher.closed() && !watcher.ended()) {
        watcher.end();
      }
    }
    watchers.clear();
    return endpoint.close();
  }

  private static Buffer loadPage() throws IOException {
    try (InputStream in = TrackerWeb.class.getResourceAsStream(DASHBOARD)) {
      if (in == null) {
        throw new IOException("the dashboard page " + DASHBOARD + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private void watch(HttpServerResponse response) {
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .write("retry: 2000\n\n");
    watchers.add(response);
    response.closeHandler(v -> watchers.remove(response));
    response.exceptionHandler(
        e -> {
          LOG.log(Level.DEBUG, "a dashboard's event stream failed", e);
          watchers.remove(response);
        });
    tracker.status().onSuccess(status -> send(response, toJson(status)));
  }

  /**
   * Builds the status (O(peers x names)) only when someone watches and the directory, its peers or
   * the events changed, or every few intervals for the ages; a storm is pushed once an interval.
   */
  private void pushIfChanged() {
    if (watchers.isEmpty()) {
      return;
    }
    tracker
        .status()
        .onSuccess(
            status -> {
              String key =
                  status.version()
                      + "/"
                      + status.peers().size()
                      + "/"
                      + status.nodes().size()
                      + "/"
                      + (status.events().isEmpty()
                          ? 0
                          : status.events().get(status.events().size() - 1).time()
                              + status.events().size());
              if (key.equals(lastKey) && ++quietIntervals < REFRESH_INTERVALS) {
                return;
              }
              lastKey = key;
              quietIntervals = 0;
              JsonObject json = toJson(status);
              for (HttpServerResponse watcher : Set.copyOf(watchers)) {
                send(watcher, json);
              }
            });
  }

  private void send(HttpServerResponse watcher, JsonObject json) {
    if (watcher.closed() || watcher.ended()) {
      watchers.remove(watcher);
      return;
    }
    // A page that does not read its stream is dropped rather than buffered without bound.
    if (watcher.writeQueueFull()) {
      LOG.log(Level.DEBUG, "dropping a dashboard that does not keep up");
      watchers.remove(watcher);
      watcher.reset();
      return;
    }
    watcher.write("event: status\ndata: " + json.encode() + "\n\n");
  }

  /** The JSON of {@code GET /api/status}; see the README's "Status API". */
  public static JsonObject toJson(TrackerStatus status) {
    JsonArray peers = new JsonArray();
    int converged = 0;
    int local = 0;
    for (TrackerStatus.PeerStatus peer : status.peers()) {
      JsonObject files = new JsonObject();
      for (FileEntry file : peer.files()) {
        files.put(file.name(), file.mtime());
      }
      peers.add(
          new JsonObject()
              .put("address", peer.address())
              .put("kind", peer.kind())
              .put("local", peer.local())
              .put("connectedSince", peer.connectedSince())
              .put("lastMessage", peer.lastMessage())
              .put("namesHeld", peer.files().size())
              .put("lacking", peer.lacking())
              .put("files", files));
      converged += peer.lacking() == 0 ? 1 : 0;
      local += peer.local() ? 1 : 0;
    }
    JsonArray names = new JsonArray();
    for (TrackerStatus.NameStatus name : status.names()) {
      names.add(
          new JsonObject()
              .put("name", name.name())
              .put("winner", name.winner())
              .put("mtime", name.mtime())
              .put("holders", name.holders()));
    }
    JsonArray events = new JsonArray();
    for (TrackerStatus.Event event : status.events()) {
      events.add(new JsonObject().put("time", event.time()).put("text", event.text()));
    }
    return new JsonObject()
        .put("role", "tracker")
        .put("time", System.currentTimeMillis())
        .put(
            "totals",
            new JsonObject()
                .put("peers", status.peers().size())
                .put("localPeers", local)
                .put("convergedPeers", converged)
                .put("names", status.names().size())
                .put("version", status.version())
                .put("encodes", status.encodes()))
        .put("peers", peers)
        .put("names", names)
        .put("cluster", new JsonObject().put("nodes", new JsonArray(status.nodes())))
        .put("events", events);
  }
}
