package p2psync.simulation.toxiproxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A Toxiproxy (2.12) that runs inside this JVM on Vert.x, for machines with no Toxiproxy binary and
 * no Docker. It speaks Toxiproxy's HTTP API, so the same toxiproxy-java code drives it or a real
 * Toxiproxy:
 *
 * <pre>{@code
 * EmbeddedToxiproxy toxiproxy = EmbeddedToxiproxy.start(vertx, "127.0.0.1", 0) ...;
 * ToxiproxyClient client = new ToxiproxyClient("127.0.0.1", toxiproxy.port());
 * Proxy proxy = client.createProxy("tracker", "127.0.0.1:0", "127.0.0.1:9000");
 * proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 200);
 * }</pre>
 *
 * toxiproxy-java blocks: call it from a test thread or {@code executeBlocking}, never from an event
 * loop. Proxies and toxics behave as in Toxiproxy's source; each toxic's stage class (LatencyStage,
 * TimeoutStage, ...) says which Go file it follows and where it differs.
 */
public final class EmbeddedToxiproxy {
  private final Vertx vertx;
  private final String deploymentId;
  private final int port;
  private Future<Void> closing;

  private EmbeddedToxiproxy(Vertx vertx, String deploymentId, int port) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.port = port;
  }

  /** Starts the HTTP API on {@code host:port}; port 0 lets the OS pick (see {@link #port()}). */
  public static Future<EmbeddedToxiproxy> start(Vertx vertx, String host, int port) {
    ToxiproxyServer server = new ToxiproxyServer(host, port);
    return vertx
        .deployVerticle(server)
        .map(deploymentId -> new EmbeddedToxiproxy(vertx, deploymentId, server.port()));
  }

  /** The HTTP API port. */
  public int port() {
    return port;
  }

  /** Stops the API and every proxy, closing their connections. Calling it again is harmless. */
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = vertx.undeploy(deploymentId);
    }
    return closing;
  }
}
