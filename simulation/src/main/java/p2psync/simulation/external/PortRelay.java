package p2psync.simulation.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;

/**
 * Sits between an external seed peer and its tracker and makes the peer advertise its proxy: the
 * {@code "port"} of each line the peer sends becomes {@code advertised}, and the port it replaced
 * is told to {@code onPort} (so the proxy learns where the peer listens, again after a restart). A
 * seed peer has no advertised-port option, and without this the other peers would reach it around
 * the proxy, beyond the faults. Everything else passes unchanged, the tracker's lines untouched; a
 * line that is not a JSON object goes as it came, for the tracker to judge. One upstream connection
 * per peer connection; either side closing closes both.
 */
public final class PortRelay {
  private static final Logger LOG = Logger.getLogger(PortRelay.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A peer line longer than this ends the connection, as our tracker would. */
  private static final int MAX_LINE_BYTES = 64 << 20;

  private final Vertx vertx;
  private final String trackerHost;
  private final int trackerPort;
  private final int advertised;
  private final IntConsumer onPort;
  private NetServer server;
  private NetClient client;

  public PortRelay(
      Vertx vertx, String trackerHost, int trackerPort, int advertised, IntConsumer onPort) {
    this.vertx = vertx;
    this.trackerHost = trackerHost;
    this.trackerPort = trackerPort;
    this.advertised = advertised;
    this.onPort = onPort;
  }

  /** Listens on {@code host}, on a port the OS picks; completes with it. */
  public Future<Integer> listen(String host) {
    client = vertx.createNetClient();
    server =
        vertx
            .createNetServer(new NetServerOptions().setHost(host).setPort(0).setTcpNoDelay(true))
            .connectHandler(this::relay);
    return server.listen().map(NetServer::actualPort);
  }

  private void relay(NetSocket peer) {
    peer.pause();
    client
        .connect(trackerPort, trackerHost)
        .onFailure(
            e -> {
              // the tracker (or its proxy) is away: the peer sees its tracker refuse, as direct
              LOG.log(Level.FINE, "relay: no tracker at " + trackerHost + ":" + trackerPort, e);
              peer.close();
            })
        .onSuccess(
            tracker -> {
              tracker.handler(peer::write);
              tracker.closeHandler(v -> peer.close());
              peer.closeHandler(v -> tracker.close());
              RecordParser lines =
                  RecordParser.newDelimited("\n", peer).maxRecordSize(MAX_LINE_BYTES);
              lines.exceptionHandler(
                  e -> {
                    LOG.log(Level.FINE, "relay: a peer line was too long", e);
                    peer.close();
                  });
              lines.handler(
                  line -> {
                    tracker.write(rewrite(line).appendString("\n"));
                    if (tracker.writeQueueFull()) {
                      lines.pause();
                      tracker.drainHandler(v -> lines.resume());
                    }
                  });
              lines.resume();
            });
  }

  /** The line with its port replaced; anything that is not an object with a port, unchanged. */
  Buffer rewrite(Buffer line) {
    ObjectNode message;
    try {
      message = SeedCodec.parseObject(SeedCodec.decodeUtf8(line));
    } catch (ProtocolException e) {
      return line;
    }
    if (!message.path("port").canConvertToInt()) {
      return line;
    }
    onPort.accept(message.path("port").asInt());
    message.put("port", advertised);
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(message));
    } catch (IOException e) {
      throw new IllegalStateException("a parsed object always serializes", e);
    }
  }

  public Future<Void> close() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.compose(v -> client == null ? Future.succeededFuture() : client.close());
  }
}
