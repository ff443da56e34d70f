package p2psync.simulation.toxiproxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetClient;

/**
 * The embedded server as a verticle, so that the API, every proxy listener, every relayed socket
 * and every toxic timer run on its one event loop: the state needs no locks, and undeploying it
 * tears everything down.
 */
final class ToxiproxyServer extends VerticleBase {
  private final String host;
  private final int requestedPort;
  private NetClient upstreamClient;
  private ServerLoop loop;
  private ProxyRegistry registry;
  private HttpServer api;

  ToxiproxyServer(String host, int requestedPort) {
    this.host = host;
    this.requestedPort = requestedPort;
  }

  int port() {
    return api.actualPort();
  }

  @Override
  public Future<?> start() {
    loop = new ServerLoop(context);
    upstreamClient = vertx.createNetClient();
    registry = new ProxyRegistry(vertx, loop, upstreamClient);
    return vertx
        .createHttpServer()
        .requestHandler(new ApiRoutes(loop, registry))
        .listen(requestedPort, host)
        .onSuccess(server -> api = server);
  }

  @Override
  public Future<?> stop() {
    return loop.back(api.close())
        .compose(v -> registry.closeAll())
        .compose(v -> upstreamClient.close());
  }
}
