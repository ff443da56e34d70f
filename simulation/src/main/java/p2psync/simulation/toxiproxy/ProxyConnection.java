package p2psync.simulation.toxiproxy;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.function.Consumer;

/**
 * A client accepted by a proxy and its connection to the upstream, relayed by two links: upstream
 * (client to server) and downstream (server to client). The client is paused until the upstream is
 * connected, so nothing it sends is lost. Finished once both sockets are closed.
 */
final class ProxyConnection {
  private final Vertx vertx;
  private final NetSocket client;
  private final Consumer<ProxyConnection> onFinished;
  private NetSocket server;
  private Link upstream;
  private Link downstream;
  private int openSockets = 1;
  private boolean finished;

  /**
   * Toxiproxy's SO_LINGER 0: set when a reset_peer toxic is there as the connection opens
   * (link.go).
   */
  private boolean lingersZero;

  ProxyConnection(Vertx vertx, NetSocket client, Consumer<ProxyConnection> onFinished) {
    this.vertx = vertx;
    this.client = client;
    this.onFinished = onFinished;
    client.pause();
    client.closeHandler(v -> socketClosed());
  }

  /** The upstream answered; {@code toxics} are the proxy's toxics at this moment. */
  void connected(NetSocket server, List<Toxic> toxics) {
    if (finished) {
      server.close();
      return;
    }
    this.server = server;
    openSockets++;
    lingersZero = toxics.stream().anyMatch(toxic -> toxic.kind() == ToxicKind.RESET_PEER);
    server.closeHandler(v -> socketClosed());
    upstream = new Link(vertx, this, client, server, false);
    downstream = new Link(vertx, this, server, client, true);
    upstream.start(toxics.stream().filter(t -> t.stream() == Direction.UPSTREAM).toList());
    downstream.start(toxics.stream().filter(t -> t.stream() == Direction.DOWNSTREAM).toList());
    client.resume();
  }

  void addToxic(Toxic toxic) {
    if (isRelaying()) {
      link(toxic).addToxic(toxic);
    }
  }

  void updateToxic(Toxic toxic) {
    if (isRelaying()) {
      link(toxic).updateToxic(toxic);
    }
  }

  void removeToxic(Toxic toxic) {
    if (isRelaying()) {
      link(toxic).removeToxic(toxic);
    }
  }

  /** Closes both sockets (the proxy was disabled or deleted). */
  void close() {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** Whether reset_peer aborts this connection with a TCP RST rather than closing it. */
  boolean lingersZero() {
    return lingersZero;
  }

  /** Aborts both sockets with a TCP RST. */
  void reset() {
    SocketReset.reset(client);
    if (server != null) {
      SocketReset.reset(server);
    }
  }

  private boolean isRelaying() {
    return upstream != null && !finished;
  }

  private Link link(Toxic toxic) {
    return toxic.stream() == Direction.UPSTREAM ? upstream : downstream;
  }

  private void socketClosed() {
    if (--openSockets > 0 || finished) {
      return;
    }
    finished = true;
    if (upstream != null) {
      upstream.close();
      downstream.close();
    }
    onFinished.accept(this);
  }
}
