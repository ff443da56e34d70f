package p2psync.simulation.toxiproxy;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Toxiproxy's HTTP API (api.go, Routes): the same paths, methods, status codes and bodies. Requests
 * are handled one at a time, as Toxiproxy's collection lock makes them, so that an operation that
 * waits for a port to open is never interleaved with another.
 */
final class ApiRoutes implements Handler<HttpServerRequest> {
  static final String VERSION = "2.12.0";

  /**
   * A response to send: JSON text, or no body when {@code body} is null. {@code routed} when a
   * route matched: only then has Toxiproxy's logging middleware given it a request id.
   */
  private record Reply(int status, String contentType, String body, boolean routed) {
    static Reply json(int status, Object json) {
      return new Reply(status, "application/json", json.toString(), true);
    }

    static Reply noContent() {
      return new Reply(204, null, null, true);
    }

    /** Go's http.Error, which api.go's apiError goes through. */
    static Reply error(int status, String text) {
      return new Reply(status, ERROR_TYPE, text + "\n", true);
    }

    /** The router's own 404, before any middleware. */
    static Reply noRoute() {
      return new Reply(404, ERROR_TYPE, "404 page not found\n", false);
    }

    /** The router's own 405: no body at all. */
    static Reply notAllowed() {
      return new Reply(405, null, null, false);
    }
  }

  private static final Logger LOG = Logger.getLogger(ApiRoutes.class.getName());
  private static final String ERROR_TYPE = "text/plain; charset=utf-8";

  private final ServerLoop loop;
  private final ProxyRegistry registry;
  private final RequestIds requestIds = new RequestIds();
  private Future<?> lastRequest = Future.succeededFuture();

  ApiRoutes(ServerLoop loop, ProxyRegistry registry) {
    this.loop = loop;
    this.registry = registry;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request
        .body()
        .compose(body -> inTurn(() -> route(request, body)))
        .recover(
            failure -> {
              if (!(failure instanceof ApiError)) {
                // A bug of this server, not a refused request: the client only sees the message
                // (Toxiproxy's wire has no room for more), so the stack trace goes to the log.
                LOG.log(
                    Level.WARNING,
                    "embedded Toxiproxy: " + request.method() + " " + request.path() + " failed",
                    failure);
              }
              ApiError error = ApiError.of(failure);
              return Future.succeededFuture(Reply.error(error.status(), error.toJson().encode()));
            })
        .onSuccess(reply -> send(request.response(), reply));
  }

  private Future<Reply> route(HttpServerRequest request, Buffer body) {
    List<String> path = segments(request.path());
    String route = routeOf(path);
    if (route == null) {
      return Future.succeededFuture(Reply.noRoute());
    }
    String userAgent = request.getHeader("User-Agent");
    if (userAgent != null && userAgent.startsWith("Mozilla/")) {
      // Toxiproxy refuses browsers, so that a web page cannot reach it (stopBrowsersMiddleware).
      return Future.succeededFuture(Reply.error(403, "User agent not allowed"));
    }
    HttpMethod method = request.method();
    boolean update = method == POST || method == PATCH;
    return switch (route) {
      case "/reset" -> method == POST ? reset() : notAllowed();
      case "/proxies" ->
          method == GET ? listProxies() : method == POST ? createProxy(body) : notAllowed();
      case "/populate" -> method == POST ? populate(body) : notAllowed();
      case "/version" -> method == GET ? version() : notAllowed();
      case "/proxies/{proxy}" ->
          method == GET
              ? showProxy(path.get(1))
              : update
                  ? updateProxy(path.get(1), body)
                  : method == DELETE ? deleteProxy(path.get(1)) : notAllowed();
      case "/proxies/{proxy}/toxics" ->
          method == GET
              ? listToxics(path.get(1))
              : method == POST ? createToxic(path.get(1), body) : notAllowed();
      case "/proxies/{proxy}/toxics/{toxic}" ->
          method == GET
              ? showToxic(path.get(1), path.get(3))
              : update
                  ? updateToxic(path.get(1), path.get(3), body)
                  : method == DELETE ? deleteToxic(path.get(1), path.get(3)) : notAllowed();
      default -> throw new IllegalStateException(route);
    };
  }

  private Future<Reply> reset() {
    return registry.reset().map(v -> Reply.noContent());
  }

  private Future<Reply> listProxies() {
    return Future.succeededFuture(Reply.json(200, registry.toJson()));
  }

  private Future<Reply> createProxy(Buffer body) {
    return registry.create(JsonInput.object(body)).map(proxy -> Reply.json(201, proxy.toJson()));
  }

  private Future<Reply> populate(Buffer body) {
    return registry.populate(body).map(reply -> Reply.json(reply.getInteger("status", 201), reply));
  }

  private Future<Reply> version() {
    String text = "{\"version\": \"" + VERSION + "\"}\n";
    return Future.succeededFuture(new Reply(200, "application/json;charset=utf-8", text, true));
  }

  private Future<Reply> showProxy(String name) {
    return Future.succeededFuture(Reply.json(200, registry.get(name).toJson()));
  }

  private Future<Reply> updateProxy(String name, Buffer body) {
    Proxy proxy = registry.get(name);
    return proxy.update(JsonInput.object(body)).map(v -> Reply.json(200, proxy.toJson()));
  }

  private Future<Reply> deleteProxy(String name) {
    return registry.delete(name).map(v -> Reply.noContent());
  }

  private Future<Reply> listToxics(String proxyName) {
    return Future.succeededFuture(Reply.json(200, registry.get(proxyName).toxicsJson()));
  }

  private Future<Reply> createToxic(String proxyName, Buffer body) {
    Proxy proxy = registry.get(proxyName);
    // 200, not 201: Toxiproxy's ToxicCreate never sets a status.
    return Future.succeededFuture(Reply.json(200, proxy.addToxic(JsonInput.object(body)).toJson()));
  }

  private Future<Reply> showToxic(String proxyName, String toxicName) {
    return Future.succeededFuture(
        Reply.json(200, registry.get(proxyName).toxic(toxicName).toJson()));
  }

  private Future<Reply> updateToxic(String proxyName, String toxicName, Buffer body) {
    Proxy proxy = registry.get(proxyName);
    Toxic updated = proxy.updateToxic(toxicName, JsonInput.object(body));
    return Future.succeededFuture(Reply.json(200, updated.toJson()));
  }

  private Future<Reply> deleteToxic(String proxyName, String toxicName) {
    registry.get(proxyName).removeToxic(toxicName);
    return Future.succeededFuture(Reply.noContent());
  }

  private static Future<Reply> notAllowed() {
    return Future.succeededFuture(Reply.notAllowed());
  }

  /** Runs {@code action} once every earlier request is answered. */
  private Future<Reply> inTurn(Supplier<Future<Reply>> action) {
    Future<Reply> result =
        loop.back(lastRequest)
            .transform(
                ignored -> {
                  try {
                    loop.confine("an API request");
                    return action.get();
                  } catch (RuntimeException failure) { // ApiError mostly; anything else answers 500
                    return Future.failedFuture(failure);
                  }
                });
    lastRequest = result;
    return result;
  }

  private static List<String> segments(String path) {
    return Arrays.stream(path.substring(1).split("/", -1))
        .map(segment -> URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8))
        .toList();
  }

  /** The route template a path matches, or null: names are any non-empty segment. */
  private static String routeOf(List<String> path) {
    if (path.contains("")) {
      return null;
    }
    if (path.size() == 1) {
      return List.of("reset", "proxies", "populate", "version").contains(path.get(0))
          ? "/" + path.get(0)
          : null;
    }
    if (!path.get(0).equals("proxies")) {
      return null;
    }
    if (path.size() == 2) {
      return "/proxies/{proxy}";
    }
    if (!path.get(2).equals("toxics")) {
      return null;
    }
    return switch (path.size()) {
      case 3 -> "/proxies/{proxy}/toxics";
      case 4 -> "/proxies/{proxy}/toxics/{toxic}";
      default -> null;
    };
  }

  private void send(HttpServerResponse response, Reply reply) {
    response.setStatusCode(reply.status());
    if (reply.routed()) {
      response.putHeader("X-Toxiproxy-Request-Id", requestIds.next());
    }
    if (ERROR_TYPE.equals(reply.contentType())) {
      response.putHeader("X-Content-Type-Options", "nosniff"); // as Go's http.Error
    }
    if (reply.body() == null) {
      response.end();
    } else {
      response.putHeader("Content-Type", reply.contentType()).end(reply.body());
    }
  }
}
