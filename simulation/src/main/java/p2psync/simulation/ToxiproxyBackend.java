package p2psync.simulation;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import p2psync.simulation.toxiproxy.EmbeddedToxiproxy;

/**
 * A Toxiproxy the simulation drives through toxiproxy-java's {@link ToxiproxyClient}, whichever it
 * is: {@link EmbeddedToxiproxy} in this JVM, a Toxiproxy at a URL, or one in a Docker container.
 * Only where proxies listen, how parties reach them and how proxies reach our servers differ. Every
 * method blocks: call none from an event loop.
 */
public abstract class ToxiproxyBackend implements AutoCloseable {
  /** An address parties connect to. */
  public record Endpoint(String host, int port) {}

  /** A class of the optional dependency the docker backend needs. */
  private static final String DOCKER_BACKEND_NEEDS =
      "org.testcontainers.toxiproxy.ToxiproxyContainer";

  private final ToxiproxyClient client;
  private final List<Proxy> created = new ArrayList<>();

  protected ToxiproxyBackend(ToxiproxyClient client) {
    this.client = client;
  }

  /**
   * {@code embedded} (an {@link EmbeddedToxiproxy} on {@code vertx}), {@code docker} (a container
   * on Docker's bridge), {@code docker-host} (a container on the host's network, all on loopback),
   * or the URL of a running Toxiproxy on this machine ({@code http://127.0.0.1:8474}).
   */
  public static ToxiproxyBackend open(String spec, Vertx vertx) throws IOException {
    if (spec.equals(SimulationOptions.EMBEDDED)) {
      EmbeddedToxiproxy server =
          EmbeddedToxiproxy.start(vertx, "127.0.0.1", 0)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      return new LocalToxiproxy(
          new ToxiproxyClient("127.0.0.1", server.port()),
          "127.0.0.1",
          "embedded Toxiproxy on 127.0.0.1:" + server.port(),
          () -> server.close().toCompletionStage().toCompletableFuture().join());
    }
    if (spec.equals(SimulationOptions.DOCKER) || spec.equals(SimulationOptions.DOCKER_HOST)) {
      return docker(spec.equals(SimulationOptions.DOCKER_HOST));
    }
    URI url;
    try {
      url = URI.create(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--toxiproxy: not embedded, docker, docker-host or a URL: " + spec);
    }
    if (!"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException(
          "--toxiproxy: not embedded, docker, docker-host or http://HOST:PORT: " + spec);
    }
    int port = url.getPort() < 0 ? 8474 : url.getPort();
    ToxiproxyClient client = new ToxiproxyClient(url.getHost(), port);
    String version = versionOf(client.version()); // fails here, clearly, when nothing answers
    return new LocalToxiproxy(
        client,
        url.getHost(),
        "Toxiproxy " + version + " at " + url.getHost() + ":" + port,
        () -> {});
  }

  /**
   * The version from {@code GET /version}'s {@code {"version": "2.12.0"}}, or the answer as it
   * came.
   */
  static String versionOf(String answer) {
    try {
      return new JsonObject(answer).getString("version", answer.strip());
    } catch (RuntimeException notJson) { // DecodeException, or a version that is no string
      return answer.strip();
    }
  }

  /**
   * The docker backend. Testcontainers and docker-java are optional dependencies, left out of the
   * lean p2psync.jar: look for them first, so that their absence reads as what to do, not as a
   * NoClassDefFoundError. DockerToxiproxy, which uses them, is loaded only past this check.
   */
  private static ToxiproxyBackend docker(boolean hostNetwork) throws IOException {
    try {
      Class.forName(DOCKER_BACKEND_NEEDS, false, ToxiproxyBackend.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IOException(
          "--toxiproxy docker: the docker backend needs Testcontainers and docker-java, "
              + "which p2psync.jar leaves out to stay lean: build the jar that has them with "
              + "'mvn -B -q package -DskipTests -Pdocker' and run java -jar launcher/target/p2psync-docker.jar simulate "
              + "--toxiproxy docker ..., or use --toxiproxy embedded or a Toxiproxy URL",
          e);
    }
    return DockerToxiproxy.start(hostNetwork);
  }

  /**
   * Creates a proxy to our server on {@code upstreamPort}; it is deleted again on {@link #close()}.
   */
  public Proxy createProxy(String name, int upstreamPort) throws IOException {
    Proxy proxy = client.createProxy(name, listenAddress(created.size()), upstream(upstreamPort));
    created.add(proxy);
    return proxy;
  }

  /** What a proxy's upstream is set to for our server on {@code port}. */
  public String upstream(int port) {
    return serverHost() + ":" + port;
  }

  /** Where parties connect to go through {@code proxy}. */
  public abstract Endpoint reach(Proxy proxy);

  /** The address our tracker and file servers bind, which the proxies can reach. */
  public abstract String serverHost();

  /** One line for reports: which Toxiproxy this is. */
  public abstract String description();

  /** The listen address of the {@code index}-th proxy created. */
  protected abstract String listenAddress(int index);

  /** Stops what this backend started. */
  protected abstract void shutdown();

  /** Deletes the proxies this run created (a shared Toxiproxy keeps others'), then shuts down. */
  @Override
  public void close() {
    for (Proxy proxy : created) {
      try {
        proxy.delete();
      } catch (IOException e) {
        // already gone with the server, or unreachable: nothing left to clean
      }
    }
    created.clear();
    shutdown();
  }

  /** Parses a Go listen address ({@code 127.0.0.1:8666}, {@code [::]:8666}). */
  static int listenPort(Proxy proxy) {
    String listen = proxy.getListen();
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /** A Toxiproxy on this machine's loopback, in this JVM or not: proxies on OS-chosen ports. */
  private static final class LocalToxiproxy extends ToxiproxyBackend {
    private final String host;
    private final String description;
    private final Runnable shutdown;

    LocalToxiproxy(ToxiproxyClient client, String host, String description, Runnable shutdown) {
      super(client);
      this.host = host;
      this.description = description;
      this.shutdown = shutdown;
    }

    @Override
    public Endpoint reach(Proxy proxy) {
      return new Endpoint(host, listenPort(proxy));
    }

    @Override
    public String serverHost() {
      return host;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    protected String listenAddress(int index) {
      return host + ":0";
    }

    @Override
    protected void shutdown() {
      shutdown.run();
    }
  }
}
