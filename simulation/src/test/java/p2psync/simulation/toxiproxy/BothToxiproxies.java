package p2psync.simulation.toxiproxy;

import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import p2psync.simulation.RealToxiproxy;

/**
 * The real Toxiproxy binary and an {@link EmbeddedToxiproxy}, side by side on loopback, for tests
 * that compare them; upstream servers on the embedded one's Vert.x. Started in a class's
 * {@code @BeforeAll}; each test calls {@link #assumeRunning()}, which skips it, with the reason,
 * where the binary does not run. (An assumption failing in {@code @BeforeAll} itself would skip the
 * class without surefire counting or reporting a single test.)
 */
final class BothToxiproxies implements AutoCloseable {
  static final String LOOPBACK = "127.0.0.1";

  final RealToxiproxy real;
  final Vertx vertx;
  final EmbeddedToxiproxy embedded;
  private final String unavailable;

  private BothToxiproxies(
      RealToxiproxy real, Vertx vertx, EmbeddedToxiproxy embedded, String unavailable) {
    this.real = real;
    this.vertx = vertx;
    this.embedded = embedded;
    this.unavailable = unavailable;
  }

  /** Both servers, or, where the real one cannot start, none and the reason. */
  static BothToxiproxies start() {
    RealToxiproxy real;
    try {
      real = RealToxiproxy.start();
    } catch (RealToxiproxy.Unavailable e) {
      return new BothToxiproxies(null, null, null, e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    return new BothToxiproxies(
        real, vertx, ToxiproxyTestBase.waitFor(EmbeddedToxiproxy.start(vertx, LOOPBACK, 0)), null);
  }

  /** Skips the calling test, saying why, unless both servers run. */
  void assumeRunning() {
    Assumptions.assumeTrue(real != null, unavailable);
  }

  /**
   * toxiproxy-java clients for the real server and the embedded one: blocking, test thread only.
   */
  ToxiproxyClient realClient() {
    return new ToxiproxyClient(LOOPBACK, real.port());
  }

  ToxiproxyClient embeddedClient() {
    return new ToxiproxyClient(LOOPBACK, embedded.port());
  }

  /** A loopback server on an OS-chosen port, each connection handled by {@code handler}. */
  int upstream(Consumer<NetSocket> handler) {
    NetServer server = vertx.createNetServer().connectHandler(handler::accept);
    return ToxiproxyTestBase.waitFor(server.listen(0, LOOPBACK)).actualPort();
  }

  @Override
  public void close() {
    if (real == null) {
      return;
    }
    ToxiproxyTestBase.waitFor(embedded.close());
    ToxiproxyTestBase.waitFor(vertx.close());
    real.close();
  }
}
