package p2psync.launcher;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --cluster} and where the node meets the others; see {@code ClusterOptions}. */
final class ClusterMixin {
  @Option(
      names = {"--cluster", "-cluster"},
      description = "Run as one node of a tracker cluster (Hazelcast, TCP/IP join, no multicast).")
  boolean cluster;

  @Option(
      names = {"--cluster-host", "-cluster-host"},
      paramLabel = "H",
      description =
          "Address this node's cluster member binds and tells the others (default 127.0.0.1).")
  String host;

  @Option(
      names = {"--cluster-port", "-cluster-port"},
      paramLabel = "N",
      description = "First cluster port to try (default 5701; the next free one if taken).")
  Integer port;

  @Option(
      names = {"--cluster-bus-port", "-cluster-bus-port"},
      paramLabel = "N",
      description = "Port of the event bus between nodes (default: any free one).")
  Integer busPort;

  @Option(
      names = {"--cluster-members", "-cluster-members"},
      paramLabel = "H:P,...",
      split = ",",
      description = "Members to join, e.g. 10.0.0.1:5701,10.0.0.2:5701 (default: this host).")
  List<String> members;

  @Option(
      names = {"--hazelcast-config", "-hazelcast-config"},
      paramLabel = "FILE",
      description = "A Hazelcast XML or YAML file to use instead of the options above.")
  Path hazelcastConfig;

  /** Puts the options given into the deployment config, under {@code ClusterOptions}' keys. */
  JsonObject addTo(JsonObject base) {
    if (host != null) {
      base.put("clusterHost", host);
    }
    if (port != null) {
      base.put("clusterPort", port);
    }
    if (busPort != null) {
      base.put("clusterBusPort", busPort);
    }
    if (members != null) {
      base.put("clusterMembers", String.join(",", members));
    }
    if (hazelcastConfig != null) {
      base.put("hazelcastConfig", hazelcastConfig.toString());
    }
    return base;
  }
}
