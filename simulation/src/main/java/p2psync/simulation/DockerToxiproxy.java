package p2psync.simulation;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A real Toxiproxy in a container ({@value #IMAGE}), started through Testcontainers. Proxies listen
 * on the ports the container exposes ({@value #FIRST_PORT} up, one per party). The tracker names
 * each peer by the address it sees, which is the container's bridge address; so parties reach
 * the proxies there, and the proxies reach our servers at the bridge's gateway. That needs the
 * container's address routable from this host, as on Linux.
 */
final class DockerToxiproxy extends ToxiproxyBackend {
  static final String IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0";
  static final int FIRST_PORT = 8666;
  /** ToxiproxyContainer exposes 8666..8697: a tracker and 30 peers. */
  static final int MAX_PROXIES = 31;

  private final ToxiproxyContainer container;
  private final String containerAddress;
  private final String gateway;

  private DockerToxiproxy(ToxiproxyContainer container, String containerAddress, String gateway) {
    super(new ToxiproxyClient(container.getHost(), container.getControlPort()));
    this.container = container;
    this.containerAddress = containerAddress;
    this.gateway = gateway;
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
      return Optional.of("no Docker daemon found (Testcontainers looked for one: " + noDaemon.getMessage() + ")");
    }
    try (DockerClient docker = DockerClientProviderStrategy.getClientForConfig(transport)) {
      List<String> missing = new ArrayList<>();
      if (!hasImage(docker, IMAGE)) {
        missing.add(IMAGE + " (docker pull " + IMAGE + ", or build it from a toxiproxy-server binary as the README says)");
      }
      if (!ryukDisabled()) {
        String ryuk = TestcontainersConfiguration.getInstance().getRyukImage();
        if (!hasImage(docker, ryuk)) {
          missing.add(ryuk + " (Testcontainers' Ryuk: docker pull " + ryuk + ", or set TESTCONTAINERS_RYUK_DISABLED=true)");
        }
      }
      return missing.isEmpty()
          ? Optional.empty()
          : Optional.of("images missing from the local Docker, and nothing is pulled: " + String.join("; ", missing));
    } catch (IOException | RuntimeException unanswered) {
      return Optional.of("the Docker daemon at " + transport.getDockerHost() + " did not answer: " + unanswered);
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

  /** Starts the container; fails at once, saying what is missing, where it could not start. */
  static DockerToxiproxy start() throws IOException {
    Optional<String> unavailable = unavailableReason();
    if (unavailable.isPresent()) {
      throw new IOException("--toxiproxy docker: " + unavailable.get());
    }
    ToxiproxyContainer container = new ToxiproxyContainer(IMAGE);
    container.start();
    ContainerNetwork bridge = container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next();
    return new DockerToxiproxy(container, bridge.getIpAddress(), bridge.getGateway());
  }

  @Override
  public Endpoint reach(Proxy proxy) {
    return new Endpoint(containerAddress, listenPort(proxy));
  }

  @Override
  public String serverHost() {
    return gateway;
  }

  @Override
  public String description() {
    return "Toxiproxy in Docker (" + IMAGE + ") at " + containerAddress;
  }

  @Override
  protected String listenAddress(int index) {
    if (index >= MAX_PROXIES) {
      throw new IllegalArgumentException("the docker backend has ports for " + MAX_PROXIES
          + " proxies: at most " + (MAX_PROXIES - 1) + " peers");
    }
    return "0.0.0.0:" + (FIRST_PORT + index);
  }

  @Override
  protected void shutdown() {
    container.stop();
  }
}
