package p2psync.simulation;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.rnorth.ducttape.unreliables.Unreliables;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A real Toxiproxy in a container ({@value #IMAGE}), started through Testcontainers, on one of two
 * networks:
 *
 * <ul>
 *   <li>the default bridge ({@code --toxiproxy docker}): proxies listen on the ports the container
 *       exposes ({@value #FIRST_PORT} up, one per party). The tracker names each peer by the
 *       address it sees, which is the container's bridge address; so parties reach the proxies
 *       there, and the proxies reach our servers at the bridge's gateway. That needs the
 *       container's address routable from this host, as on Linux.
 *   <li>the host's network ({@code --toxiproxy docker-host}, Linux only): Toxiproxy's API and every
 *       proxy listen on 127.0.0.1, on ports the OS picks, and reach our servers there; no traffic
 *       leaves loopback, which is what tests and CI use.
 * </ul>
 */
final class DockerToxiproxy extends ToxiproxyBackend {
  static final String IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0";
  static final int FIRST_PORT = 8666;

  /** ToxiproxyContainer exposes 8666..8697: a tracker and 30 peers. */
  static final int MAX_PROXIES = 31;

  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration API_READY = Duration.ofSeconds(20);

  private final GenericContainer<?> container;
  private final boolean hostNetwork;
  private final String proxyHost;
  private final String serverHost;
  private final String description;

  private DockerToxiproxy(
      ToxiproxyClient client,
      GenericContainer<?> container,
      boolean hostNetwork,
      String proxyHost,
      String serverHost,
      String description) {
    super(client);
    this.container = container;
    this.hostNetwork = hostNetwork;
    this.proxyHost = proxyHost;
    this.serverHost = serverHost;
    this.description = description;
  }

  /**
   * Why this backend cannot start here, or empty when it can: a Docker daemon answers and every
   * image it needs is present locally. Checked without pulling anything and before Testcontainers'
   * own client, whose first use starts Ryuk: where no registry is reachable that pull would hang
   * for minutes and then fail.
   */
  static Optional<String> unavailableReason() {
    TransportConfig transport;
    try {
      // Finds the daemon (pings it) without starting Ryuk, unlike DockerClientFactory.client().
      transport = DockerClientFactory.instance().getTransportConfig();
    } catch (RuntimeException noDaemon) {
      return Optional.of(
          "no Docker daemon found (Testcontainers looked for one: " + noDaemon.getMessage() + ")");
    }
    try (DockerClient docker = DockerClientProviderStrategy.getClientForConfig(transport)) {
      List<String> missing = new ArrayList<>();
      if (!hasImage(docker, IMAGE)) {
        missing.add(
            IMAGE
                + " (docker pull "
                + IMAGE
                + ", or build it from a toxiproxy-server binary as the README says)");
      }
      if (!ryukDisabled()) {
        String ryuk = TestcontainersConfiguration.getInstance().getRyukImage();
        if (!hasImage(docker, ryuk)) {
          missing.add(
              ryuk
                  + " (Testcontainers' Ryuk: docker pull "
                  + ryuk
                  + ", or set TESTCONTAINERS_RYUK_DISABLED=true)");
        }
      }
      return missing.isEmpty()
          ? Optional.empty()
          : Optional.of(
              "images missing from the local Docker, and nothing is pulled: "
                  + String.join("; ", missing));
    } catch (IOException | RuntimeException unanswered) {
      return Optional.of(
          "the Docker daemon at " + transport.getDockerHost() + " did not answer: " + unanswered);
    }
  }

  private static boolean hasImage(DockerClient docker, String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException absent) {
      return false;
    }
  }

  /** Testcontainers reads this switch from the environment only (ResourceReaper). */
  private static boolean ryukDisabled() {
    return Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"));
  }

  /**
   * Starts the container, on the host's network or the default bridge; fails at once, saying what
   * is missing, where it could not start.
   */
  static DockerToxiproxy start(boolean hostNetwork) throws IOException {
    Optional<String> unavailable = unavailableReason();
    if (unavailable.isPresent()) {
      throw new IOException("--toxiproxy docker: " + unavailable.get());
    }
    return hostNetwork ? onHostNetwork() : onBridge();
  }

  private static DockerToxiproxy onBridge() {
    ToxiproxyContainer container = new ToxiproxyContainer(IMAGE);
    container.start();
    ContainerNetwork bridge =
        container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next();
    return new DockerToxiproxy(
        new ToxiproxyClient(container.getHost(), container.getControlPort()),
        container,
        false,
        bridge.getIpAddress(),
        bridge.getGateway(),
        "Toxiproxy in Docker (" + IMAGE + ") at " + bridge.getIpAddress());
  }

  private static DockerToxiproxy onHostNetwork() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      port =
          probe.getLocalPort(); // a free port for the API: the container cannot ask the OS for one
    }
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(IMAGE))
            .withNetworkMode("host")
            .withCommand("-host=" + LOOPBACK, "-port=" + port)
            // No port mapping on the host's network, so no port-based wait: Toxiproxy logs this
            // line.
            .waitingFor(
                Wait.forLogMessage(".*Starting Toxiproxy HTTP server.*", 1)
                    .withStartupTimeout(API_READY));
    container.start();
    ToxiproxyClient client = new ToxiproxyClient(LOOPBACK, port);
    try {
      // The line comes just before the API listens.
      Unreliables.retryUntilSuccess((int) API_READY.toSeconds(), TimeUnit.SECONDS, client::version);
    } catch (RuntimeException notAnswering) {
      String logs = container.getLogs(); // before stop(), which removes the container
      container.stop();
      throw new IOException(
          "--toxiproxy docker-host: Toxiproxy in the container did not answer on "
              + LOOPBACK
              + ":"
              + port
              + ": "
              + logs,
          notAnswering);
    }
    return new DockerToxiproxy(
        client,
        container,
        true,
        LOOPBACK,
        LOOPBACK,
        "Toxiproxy in Docker (" + IMAGE + ") on the host's network at " + LOOPBACK + ":" + port);
  }

  @Override
  public Endpoint reach(Proxy proxy) {
    return new Endpoint(proxyHost, listenPort(proxy));
  }

  @Override
  public String serverHost() {
    return serverHost;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  protected String listenAddress(int index) {
    if (hostNetwork) {
      return LOOPBACK + ":0";
    }
    if (index >= MAX_PROXIES) {
      throw new IllegalArgumentException(
          "the docker backend has ports for "
              + MAX_PROXIES
              + " proxies: at most "
              + (MAX_PROXIES - 1)
              + " peers (--toxiproxy docker-host has no such limit)");
    }
    return "0.0.0.0:" + (FIRST_PORT + index);
  }

  @Override
  protected void shutdown() {
    container.stop();
  }
}
