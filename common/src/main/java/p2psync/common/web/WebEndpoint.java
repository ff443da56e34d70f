package p2psync.common.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;
import p2psync.common.LocalPorts;

/**
 * The HTTP endpoint a tracker or a peer opens when {@code httpPort} is set: {@code GET /api/status}
 * (JSON), {@code GET /metrics} (Prometheus text) and whatever routes the caller adds.
 *
 * <p>Created from a verticle's {@code start()}, so its handlers run on that verticle's event loop
 * and may read its state directly: no locks, no snapshot needed for a status that is built on
 * demand.
 */
public final class WebEndpoint {
  private static final Logger LOG = System.getLogger(WebEndpoint.class.getName());

  private final Router router;
  private HttpServer server;

  /**
   * {@code status} builds the JSON of {@code /api/status}; it runs on the event loop of the caller
   * of {@link #listen}.
   */
  public WebEndpoint(
      Vertx vertx, Supplier<Future<JsonObject>> status, PrometheusMeterRegistry meters) {
    router = Router.router(vertx);
    router
        .get("/api/status")
        .handler(ctx -> status.get().onSuccess(json -> sendJson(ctx, json)).onFailure(ctx::fail));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(Metrics.scrape(meters)));
    router
        .route()
        .failureHandler(
            ctx -> {
              // A bug in a status builder must not take the tracker or the peer down: 500, logged.
              if (ctx.failure() != null) {
                LOG.log(Level.WARNING, "HTTP " + ctx.request().path() + " failed", ctx.failure());
              }
              if (!ctx.response().ended()) {
                ctx.response().setStatusCode(ctx.statusCode() < 0 ? 500 : ctx.statusCode()).end();
              }
            });
  }

  /** To add routes (the tracker's dashboard) before {@link #listen}. */
  public Router router() {
    return router;
  }

  public static void sendJson(RoutingContext ctx, JsonObject json) {
    ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(json.encode());
  }

  /** Listens as {@code options} say; completes with the actual port. */
  public Future<Integer> listen(Vertx vertx, HttpOptions options, String what) {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("already listening"));
    }
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(options.getHost()))
        .requestHandler(router)
        .listen(options.getPort())
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot open the HTTP endpoint on "
                            + options.getHost()
                            + ":"
                            + options.getPort()
                            + ": "
                            + e.getMessage(),
                        e)))
        .compose(
            s -> {
              if (!LocalPorts.hold(s.actualPort())) {
                // Vert.x would share the socket with another of our servers instead of failing.
                return s.close()
                    .transform(
                        ar ->
                            Future.failedFuture(
                                new IllegalStateException(
                                    "cannot open the HTTP endpoint: port "
                                        + s.actualPort()
                                        + " is taken")));
              }
              server = s;
              LOG.log(
                  Level.INFO,
                  what + " status on http://" + options.getHost() + ":" + s.actualPort() + "/");
              return Future.succeededFuture(s.actualPort());
            });
  }

  /** The actual port, once listening; -1 before. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    LocalPorts.release(server.actualPort());
    return server.close();
  }
}
