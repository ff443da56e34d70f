package p2psync.simulation.toxiproxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** All proxies by name (proxy_collection.go), and the API operations over several of them. */
final class ProxyRegistry {
  private final Vertx vertx;
  private final ServerLoop loop;
  private final NetClient upstreamClient;
  // Sorted, as Go prints a map's keys.
  private final Map<String, Proxy> proxies = new TreeMap<>();

  ProxyRegistry(Vertx vertx, ServerLoop loop, NetClient upstreamClient) {
    this.vertx = vertx;
    this.loop = loop;
    this.upstreamClient = upstreamClient;
  }

  /** What a create or populate request asks for, field types checked. */
  private record ProxySpec(String name, String listen, String upstream, boolean enabled) {
    static ProxySpec from(JsonObject json, String where) {
      ProxySpec spec =
          new ProxySpec(
              JsonInput.string(json, "name", ""),
              JsonInput.string(json, "listen", ""),
              JsonInput.string(json, "upstream", ""),
              JsonInput.bool(json, "enabled", true));
      if (spec.name.isEmpty()) {
        throw ApiError.missingField("name" + where);
      }
      if (spec.upstream.isEmpty()) {
        throw ApiError.missingField("upstream" + where);
      }
      return spec;
    }
  }

  /** Creates and, unless {@code "enabled": false}, starts a proxy; 409 if the name is taken. */
  Future<Proxy> create(JsonObject request) {
    ProxySpec spec = ProxySpec.from(request, "");
    if (proxies.containsKey(spec.name)) {
      throw ApiError.proxyAlreadyExists();
    }
    Proxy proxy = newProxy(spec);
    return (spec.enabled ? proxy.start() : Future.<Void>succeededFuture())
        .map(
            v -> {
              proxies.put(spec.name, proxy);
              return proxy;
            });
  }

  Proxy get(String name) {
    Proxy proxy = proxies.get(name);
    if (proxy == null) {
      throw ApiError.proxyNotFound();
    }
    return proxy;
  }

  Future<Void> delete(String name) {
    Proxy proxy = get(name);
    proxies.remove(name);
    return proxy.stop();
  }

  /** Re-enables every proxy and removes every toxic, proxy by proxy as Toxiproxy does. */
  Future<Void> reset() {
    return inOrder(
        new ArrayList<>(proxies.values()),
        proxy -> proxy.start().onSuccess(v -> proxy.removeAllToxics()));
  }

  /**
   * Creates the proxies of a JSON array, replacing same-named ones whose addresses differ and
   * keeping those that match (proxy_collection.go, PopulateJson). Always answers the populate
   * reply: the proxies handled so far, plus {@code error} and {@code status} if one failed.
   */
  Future<JsonObject> populate(Buffer body) {
    List<ProxySpec> specs = new ArrayList<>();
    try {
      JsonArray request = JsonInput.array(body);
      for (int i = 0; i < request.size(); i++) {
        String where = " at proxy " + (i + 1);
        if (!(request.getValue(i) instanceof JsonObject item)) {
          throw ApiError.badRequestBody("expected a JSON object" + where);
        }
        specs.add(ProxySpec.from(item, where));
      }
    } catch (ApiError invalid) {
      return Future.succeededFuture(populateReply(List.of(), invalid));
    }
    List<Proxy> handled = new ArrayList<>();
    return inOrder(specs, spec -> addOrReplace(spec).onSuccess(handled::add))
        .transform(
            done ->
                Future.succeededFuture(
                    populateReply(handled, done.failed() ? ApiError.of(done.cause()) : null)));
  }

  /** Stops every proxy, closing all their connections. */
  Future<Void> closeAll() {
    List<Proxy> all = new ArrayList<>(proxies.values());
    proxies.clear();
    return Future.all(all.stream().map(Proxy::stop).toList()).mapEmpty();
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject();
    proxies.forEach((name, proxy) -> json.put(name, proxy.toJson()));
    return json;
  }

  private Future<Proxy> addOrReplace(ProxySpec spec) {
    Proxy existing = proxies.get(spec.name);
    if (existing != null && !existing.differs(spec.listen, spec.upstream)) {
      return Future.succeededFuture(existing);
    }
    Proxy replacement = newProxy(spec);
    return (existing == null ? Future.<Void>succeededFuture() : existing.stop())
        .compose(v -> spec.enabled ? replacement.start() : Future.<Void>succeededFuture())
        .map(
            v -> {
              proxies.put(spec.name, replacement);
              return replacement;
            });
  }

  private Proxy newProxy(ProxySpec spec) {
    return new Proxy(vertx, loop, upstreamClient, spec.name, spec.listen, spec.upstream);
  }

  private static JsonObject populateReply(List<Proxy> handled, ApiError error) {
    JsonObject reply = error == null ? new JsonObject() : error.toJson();
    if (handled.isEmpty()) {
      reply.putNull("proxies"); // Go marshals its empty (nil) slice as null
    } else {
      JsonArray proxiesJson = new JsonArray();
      handled.forEach(proxy -> proxiesJson.add(proxy.toJson()));
      reply.put("proxies", proxiesJson);
    }
    return reply;
  }

  /** Runs {@code step} on each item, one after the other, stopping at the first failure. */
  private static <T> Future<Void> inOrder(List<T> items, Function<T, Future<?>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> step.apply(item).mapEmpty());
    }
    return chain;
  }
}
