package p2psync.simulation.toxiproxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.BindException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One named proxy: listens while enabled, relays every accepted client to the upstream through its
 * toxics, and keeps its live connections so that disabling it and changing toxics reach them
 * (proxy.go).
 */
final class Proxy {

  private final Vertx vertx;
  private final ServerLoop loop;
  private final NetClient upstreamClient;
  private final String name;
  private final ToxicSet toxics = new ToxicSet();
  private final Set<ProxyConnection> connections = new LinkedHashSet<>();
  private String listen;
  private String upstream;
  private boolean enabled;
  private NetServer server;

  Proxy(
      Vertx vertx,
      ServerLoop loop,
      NetClient upstreamClient,
      String name,
      String listen,
      String upstream) {
    this.vertx = vertx;
    this.loop = loop;
    this.upstreamClient = upstreamClient;
    this.name = name;
    this.listen = listen;
    this.upstream = upstream;
  }

  boolean isEnabled() {
    return enabled;
  }

  /** Listens; {@code listen} then names the bound address, as Go's listener reports it. */
  Future<Void> start() {
    if (enabled) {
      return Future.succeededFuture();
    }
    HostPort address;
    try {
      address = HostPort.parse(listen);
    } catch (ApiError unusableAddress) {
      return Future.failedFuture(ApiError.internal("listen tcp: " + unusableAddress.getMessage()));
    }
    return loop.back(Rebind.retrying(vertx, address.port(), () -> bind(address)))
        .transform(
            bound -> {
              if (bound.failed()) {
                return Future.failedFuture(
                    ApiError.internal("listen tcp " + listen + ": " + goWording(bound.cause())));
              }
              server = bound.result();
              listen = address.withPort(server.actualPort()).toString();
              enabled = true;
              return Future.succeededFuture();
            });
  }

  /**
   * A failed bind as Go words it ({@code bind: address already in use}): the Java message is the
   * same system error, capitalized, sometimes behind the name of the call that failed.
   */
  private static String goWording(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    if (!(failure instanceof BindException)) {
      return message;
    }
    String error = message.substring(message.lastIndexOf(": ") + 1).strip();
    return error.isEmpty()
        ? "bind: " + message
        : "bind: " + Character.toLowerCase(error.charAt(0)) + error.substring(1);
  }

  private Future<NetServer> bind(HostPort address) {
    // The thread that listens is the one its accepted sockets will be handled on.
    loop.confine("proxy " + name + " listening");
    NetServer candidate = vertx.createNetServer().connectHandler(this::accept);
    return candidate
        .listen(address.port(), address.bindHost())
        .onFailure(failure -> candidate.close());
  }

  /** Stops listening and closes every live connection. */
  Future<Void> stop() {
    if (!enabled) {
      return Future.succeededFuture();
    }
    enabled = false;
    List.copyOf(connections).forEach(ProxyConnection::close);
    NetServer closing = server;
    server = null;
    return loop.back(closing.close()); // completes on Vert.x's acceptor thread
  }

  /**
   * Toxiproxy's proxy update: absent fields keep their values; a new listen address or upstream
   * restarts the proxy (closing its connections); then {@code enabled} is applied.
   */
  Future<Void> update(JsonObject request) {
    String newListen = JsonInput.string(request, "listen", listen);
    String newUpstream = JsonInput.string(request, "upstream", upstream);
    boolean newEnabled = JsonInput.bool(request, "enabled", enabled);
    Future<Void> moved = Future.succeededFuture();
    if (differs(newListen, newUpstream)) {
      moved =
          stop()
              .onSuccess(
                  v -> {
                    listen = newListen;
                    upstream = newUpstream;
                  });
    }
    return moved.compose(v -> newEnabled ? start() : stop());
  }

  /** Whether these addresses name another proxy than this one (proxy.go, Differs). */
  boolean differs(String otherListen, String otherUpstream) {
    return !listen.equals(HostPort.parse(otherListen).toString())
        || !upstream.equals(otherUpstream);
  }

  Toxic toxic(String toxicName) {
    return toxics.get(toxicName);
  }

  JsonArray toxicsJson() {
    return toxics.toJson();
  }

  Toxic addToxic(JsonObject request) {
    Toxic toxic = toxics.add(Toxic.fromCreateRequest(request));
    List.copyOf(connections).forEach(connection -> connection.addToxic(toxic));
    return toxic;
  }

  Toxic updateToxic(String toxicName, JsonObject request) {
    Toxic toxic = toxics.update(toxicName, request);
    List.copyOf(connections).forEach(connection -> connection.updateToxic(toxic));
    return toxic;
  }

  void removeToxic(String toxicName) {
    Toxic toxic = toxics.remove(toxicName);
    List.copyOf(connections).forEach(connection -> connection.removeToxic(toxic));
  }

  void removeAllToxics() {
    toxics.all().forEach(toxic -> removeToxic(toxic.name()));
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("listen", listen)
        .put("upstream", upstream)
        .put("enabled", enabled)
        // Toxiproxy's Proxy struct has a Logger field without a JSON tag, which Go prints so.
        .put("Logger", new JsonObject())
        .put("toxics", toxics.toJson());
  }

  private void accept(NetSocket client) {
    ProxyConnection connection = new ProxyConnection(vertx, client, connections::remove);
    connections.add(connection);
    HostPort target;
    try {
      target = HostPort.parse(upstream);
    } catch (ApiError unusableUpstream) {
      connection.close();
      return;
    }
    loop.back(upstreamClient.connect(target.port(), target.bindHost()))
        .onComplete(
            attempt -> {
              if (attempt.succeeded()) {
                connection.connected(attempt.result(), toxics.all());
              } else {
                connection.close(); // as Toxiproxy: the client is dropped when the upstream is down
              }
            });
  }
}
