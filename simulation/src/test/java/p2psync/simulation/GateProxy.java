package p2psync.simulation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicLong;
import p2psync.common.LateEndStream;

/**
 * A TCP relay for tests: forwards to a target port, and while closed lets only the first {@code
 * limit} response bytes of each connection through and then stops reading (a transfer stuck
 * mid-way). When the source closes, the client's side is ended after what was relayed.
 */
final class GateProxy {
  private final Vertx vertx;

  /** One client for every relayed connection, closed with the proxy. */
  private final NetClient client;

  private volatile int targetPort;
  private volatile long limit = Long.MAX_VALUE;
  private final AtomicLong relayed = new AtomicLong();
  private NetServer server;

  GateProxy(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
  }

  Future<Integer> listen() {
    return vertx
        .createNetServer()
        .connectHandler(this::relay)
        .listen(0, "127.0.0.1")
        .map(
            s -> {
              server = s;
              return s.actualPort();
            });
  }

  void target(int port) {
    targetPort = port;
  }

  /** Response bytes each connection may pass from now on; Long.MAX_VALUE opens the gate. */
  void limit(long bytes) {
    limit = bytes;
  }

  /** Response bytes relayed so far, over all connections. */
  long relayed() {
    return relayed.get();
  }

  Future<Void> close() {
    return Future.join(server.close(), client.close()).mapEmpty();
  }

  private void relay(NetSocket downstream) {
    downstream.pause();
    client
        .connect(targetPort, "127.0.0.1")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                downstream.close();
                return;
              }
              NetSocket upstreamSocket = ar.result();
              LateEndStream upstream = new LateEndStream(vertx, upstreamSocket);
              long[] passed = {0};
              downstream.pipeTo(upstreamSocket);
              upstream.handler(
                  data -> {
                    long allowed = Math.max(0, Math.min(data.length(), limit - passed[0]));
                    if (allowed > 0) {
                      passed[0] += allowed;
                      relayed.addAndGet(allowed);
                      downstream.write(
                          allowed == data.length() ? data : data.slice(0, (int) allowed));
                    }
                    if (allowed < data.length() || downstream.writeQueueFull()) {
                      // Stalled at the limit, or the reader is slow: stop reading the source.
                      upstream.pause();
                      if (allowed == data.length()) {
                        downstream.drainHandler(v -> upstream.resume());
                      } else {
                        // Stalled for good: the held bytes are dropped, so a dying source cuts the
                        // client off.
                        upstreamSocket.closeHandler(v -> downstream.close());
                      }
                    }
                  });
              upstream.endHandler(v -> downstream.end());
              downstream.resume();
            });
  }
}
