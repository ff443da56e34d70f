package p2psync.simulation;

import com.github.dockerjava.api.model.ContainerNetwork;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.toxiproxy.ToxiproxyContainer;

/**
 * A real Toxiproxy in a container ({@value #IMAGE}), started through Testcontainers. Proxies listen
 * on the ports the container exposes ({@value #FIRST_PORT} up, one per party). The tracker names
 * each peer by the address it sees, which is the container's bridge address; so parties reach the
 * proxies there, and the proxies reach our servers at the bridge's gateway. That needs the
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

  /** Whether Testcontainers finds a Docker daemon here. */
  static boolean isDockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static DockerToxiproxy start() throws IOException {
    if (!isDockerAvailable()) {
      throw new IOException(
          "--toxiproxy docker: no Docker daemon found (Testcontainers looked for one)");
    }
    ToxiproxyContainer container = new ToxiproxyContainer(IMAGE);
    container.start();
    ContainerNetwork bridge =
        container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next();
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
      throw new IllegalArgumentException(
          "the docker backend has ports for "
              + MAX_PROXIES
              + " proxies: at most "
              + (MAX_PROXIES - 1)
              + " peers");
    }
    return "0.0.0.0:" + (FIRST_PORT + index);
  }

  @Override
  protected void shutdown() {
    container.stop();
  }
}
