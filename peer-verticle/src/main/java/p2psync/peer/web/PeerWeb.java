package p2psync.peer.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2psync.common.web.HttpOptions;
import p2psync.common.web.WebEndpoint;
import p2psync.peer.PeerStatus;
import p2psync.peer.PeerVerticle;
import p2psync.peer.sync.SyncStatus;

/**
 * A peer's HTTP endpoint: {@code GET /api/status} (JSON) and {@code GET /metrics} (Prometheus).
 * Made and started in the peer's {@code start()}, so its handlers run on the peer's event loop.
 */
public final class PeerWeb {
  private final Vertx vertx;
  private final WebEndpoint endpoint;

  public PeerWeb(Vertx vertx, PeerVerticle peer, PrometheusMeterRegistry meters) {
    this.vertx = vertx;
    endpoint = new WebEndpoint(vertx, () -> peer.status().map(PeerWeb::toJson), meters);
  }

  /** Completes with the actual port. */
  public Future<Integer> listen(HttpOptions options) {
    return endpoint.listen(vertx, options, "peer");
  }

  public int port() {
    return endpoint.port();
  }

  public Future<Void> close() {
    return endpoint.close();
  }

  /** The JSON of {@code GET /api/status}; see the README's "Status API". */
  public static JsonObject toJson(PeerStatus status) {
    JsonObject files = new JsonObject();
    status.files().forEach(files::put);
    JsonObject json =
        new JsonObject()
            .put("role", "peer")
            .put("time", System.currentTimeMillis())
            .put("folder", status.folder())
            .put("port", status.port())
            .put("advertisedPort", status.advertisedPort())
            .put(
                "tracker",
                new JsonObject()
                    .put("address", status.tracker())
                    .put("connected", status.trackerConnected()))
            .put("files", files)
            .put(
                "transfers",
                new JsonObject()
                    .put("completed", status.completed())
                    .put("failed", status.failed())
                    .put("running", transfers(status.running()))
                    .put("recent", transfers(status.recent())));
    if (status.sync() != null) {
      json.put("sync", sync(status.sync()));
    }
    return json;
  }

  private static JsonObject sync(SyncStatus sync) {
    JsonArray trashed = new JsonArray();
    for (SyncStatus.TrashEntry entry : sync.trash()) {
      trashed.add(
          new JsonObject()
              .put("name", entry.name())
              .put("trashedAt", entry.trashedAt())
              .put("size", entry.size()));
    }
    return new JsonObject()
        .put("tombstones", sync.tombstones())
        .put(
            "conflictCopies",
            new JsonObject()
                .put("made", sync.conflictCopies())
                .put("recent", new JsonArray(sync.recentConflictCopies())))
        .put(
            "trash",
            new JsonObject()
                .put("files", sync.trashFiles())
                .put("bytes", sync.trashBytes())
                .put("entries", trashed));
  }

  private static JsonArray transfers(Iterable<PeerStatus.Transfer> transfers) {
    JsonArray all = new JsonArray();
    for (PeerStatus.Transfer t : transfers) {
      all.add(
          new JsonObject()
              .put("name", t.name())
              .put("source", t.source())
              .put("bytes", t.bytes())
              .put("expected", t.expected())
              .put("startedAt", t.startedAt())
              .put("millis", t.millis())
              .put("bytesPerSecond", t.speed())
              .put("result", t.result())
              .put("reason", t.reason()));
    }
    return all;
  }
}
