package p2psync.simulation.toxiproxy;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An EmbeddedToxiproxy driven by toxiproxy-java from the test thread (the client blocks, so never
 * from an event loop), with upstreams on loopback and blocking client sockets.
 */
@ExtendWith(VertxExtension.class)
abstract class ToxiproxyTestBase {
  static final String LOOPBACK = "127.0.0.1";

  Vertx vertx;
  EmbeddedToxiproxy toxiproxy;
  ToxiproxyClient client;
  int echoPort;

  @BeforeEach
  void startToxiproxy(Vertx vertx) {
    this.vertx = vertx;
    toxiproxy = waitFor(EmbeddedToxiproxy.start(vertx, LOOPBACK, 0));
    client = new ToxiproxyClient(LOOPBACK, toxiproxy.port());
    echoPort = upstream(socket -> socket.pipeTo(socket));
  }

  @AfterEach
  void closeToxiproxy() {
    waitFor(toxiproxy.close());
  }

  /** A loopback server on an OS-chosen port, each connection handled by {@code handler}. */
  int upstream(Consumer<NetSocket> handler) {
    NetServer server = vertx.createNetServer().connectHandler(handler::accept);
    return waitFor(server.listen(0, LOOPBACK)).actualPort();
  }

  /** A server that sends {@code payload} to each client and closes. */
  int fixedResponse(byte[] payload) {
    return upstream(socket -> socket.end(Buffer.buffer(payload)));
  }

  Proxy proxyTo(String name, int upstreamPort) throws IOException {
    return client.createProxy(name, LOOPBACK + ":0", LOOPBACK + ":" + upstreamPort);
  }

  static int listenPort(Proxy proxy) {
    String listen = proxy.getListen();
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /** A client through the proxy; reads give up after 5 s so that a hang fails the test. */
  static Socket connect(Proxy proxy) throws IOException {
    Socket socket = new Socket(LOOPBACK, listenPort(proxy));
    socket.setSoTimeout(5_000);
    return socket;
  }

  static byte[] exchange(Socket socket, byte[] request) throws IOException {
    socket.getOutputStream().write(request);
    byte[] response = new byte[request.length];
    new DataInputStream(socket.getInputStream()).readFully(response);
    return response;
  }

  static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  static <T> T waitFor(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }
}
