package p2psync.tracker.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import p2psync.common.ConfigLoader;
import p2psync.common.Validate;

/**
 * How a tracker node finds the others: the address and port its Hazelcast member listens on and the
 * members it joins over TCP/IP (never multicast, so it works on a LAN and on loopback alike). JSON
 * keys: {@code clusterHost}, {@code clusterPort}, {@code clusterBusPort}, {@code clusterMembers}
 * (an array or a comma-separated string of {@code host:port}), {@code clusterName}, {@code
 * hazelcastConfig} (a Hazelcast XML or YAML file used as is instead). The timings are {@code
 * SyncConfig}'s.
 */
public final class ClusterOptions {
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Hazelcast's own default; the next free one is taken when it is in use. */
  public static final int DEFAULT_PORT = 5701;

  public static final String DEFAULT_NAME = "p2psync";

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int busPort;
  private List<String> members = List.of();
  private String name = DEFAULT_NAME;
  private Path hazelcastConfig;

  public ClusterOptions() {}

  public ClusterOptions(JsonObject json) {
    setHost(json.getString("clusterHost", DEFAULT_HOST));
    setPort(json.getInteger("clusterPort", DEFAULT_PORT));
    setBusPort(json.getInteger("clusterBusPort", 0));
    setMembers(ConfigLoader.stringList(json.getValue("clusterMembers")));
    setName(json.getString("clusterName", DEFAULT_NAME));
    String file = json.getString("hazelcastConfig");
    setHazelcastConfig(file == null ? null : Path.of(file));
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("clusterHost", host)
            .put("clusterPort", port)
            .put("clusterBusPort", busPort)
            .put("clusterMembers", new JsonArray(new ArrayList<>(members)))
            .put("clusterName", name);
    return hazelcastConfig == null ? json : json.put("hazelcastConfig", hazelcastConfig.toString());
  }

  /** The address this node's Hazelcast member (and event bus) binds and tells the others. */
  public String getHost() {
    return host;
  }

  public ClusterOptions setHost(String host) {
    this.host = Validate.notBlank("clusterHost", host);
    return this;
  }

  /** The first port tried for this node's member; the next free one above it if taken. */
  public int getPort() {
    return port;
  }

  public ClusterOptions setPort(int port) {
    this.port = Validate.inRange("clusterPort", port, 1, 65_535);
    return this;
  }

  /**
   * The port of the clustered event bus between nodes; 0: any free one. Fix it to open it in a
   * firewall.
   */
  public int getBusPort() {
    return busPort;
  }

  public ClusterOptions setBusPort(int busPort) {
    this.busPort = Validate.inRange("clusterBusPort", busPort, 0, 65_535);
    return this;
  }

  /** Members to join, {@code host} or {@code host:port}; empty: this node's own host. */
  public List<String> getMembers() {
    return members;
  }

  public ClusterOptions setMembers(List<String> members) {
    for (String member : members) {
      Validate.notBlank("clusterMembers", member);
    }
    this.members = List.copyOf(members);
    return this;
  }

  /** Only nodes with the same name form a cluster. */
  public String getName() {
    return name;
  }

  public ClusterOptions setName(String name) {
    this.name = Validate.notBlank("clusterName", name);
    return this;
  }

  /** A Hazelcast XML or YAML file to use instead of the settings above; null: none. */
  public Path getHazelcastConfig() {
    return hazelcastConfig;
  }

  public ClusterOptions setHazelcastConfig(Path hazelcastConfig) {
    this.hazelcastConfig = hazelcastConfig;
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
