package p2psync.tracker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import p2psync.common.SyncConfig;

/**
 * One clustered Vert.x instance on Hazelcast, ready to host a tracker node: {@link #start} joins
 * (or forms) the cluster, {@link #replication()} gives the tracker verticle its link to the others.
 *
 * @param vertx the clustered instance; closing it leaves the cluster
 * @param clusterManager its Hazelcast member
 */
public record ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager) {

  /** Joins the cluster described by {@code options}, with the timings of {@code sync}. */
  public static Future<ClusterNode> start(ClusterOptions options, SyncConfig sync) {
    HazelcastClusterManager manager;
    try {
      manager = new HazelcastClusterManager(hazelcastConfig(options, sync));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Vertx.builder()
        .with(
            new VertxOptions()
                .setEventBusOptions(new EventBusOptions().setPort(options.getBusPort())))
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new ClusterNode(vertx, manager));
  }

  /**
   * The tracker verticle's side of this node: deploy {@code new TrackerVerticle(options,
   * node.replication())}.
   */
  public ClusterReplication replication() {
    return new ClusterReplication(clusterManager);
  }

  /**
   * The Hazelcast configuration of a tracker node: Vert.x's own defaults (the maps its event bus
   * needs), then TCP/IP join with the listed members and no multicast or auto-detection (a LAN
   * without multicast and loopback behave alike), and the heartbeat, join and merge timings from
   * {@code sync}. A Hazelcast file given in the options is used as it is.
   */
  public static Config hazelcastConfig(ClusterOptions options, SyncConfig sync) {
    if (options.getHazelcastConfig() != null) {
      try {
        return Config.loadFromFile(options.getHazelcastConfig().toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the Hazelcast config " + options.getHazelcastConfig(), e);
      }
    }
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.getName());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.getPort()).setPortAutoIncrement(true);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setMembers(
            options.getMembers().isEmpty()
                ? java.util.List.of(options.getHost())
                : options.getMembers());
    // Bind and advertise exactly the address asked for (the event bus follows it), not every
    // interface.
    config.setProperty("hazelcast.local.localAddress", options.getHost());
    config.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
    config.setProperty(
        ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(),
        seconds(sync.getClusterHeartbeatInterval(), 1));
    config.setProperty(
        ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(),
        seconds(sync.getClusterMemberTimeout(), 2));
    String joinWait = seconds(sync.getClusterJoinWait(), 0);
    config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), joinWait);
    config.setProperty(ClusterProperty.MAX_WAIT_SECONDS_BEFORE_JOIN.getName(), joinWait);
    config.setProperty(
        ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS.getName(),
        seconds(sync.getClusterMergeDelay(), 1));
    config.setProperty(
        ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS.getName(),
        seconds(sync.getClusterMergeDelay(), 1));
    config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
    // Vert.x closes the member when the process stops; Hazelcast's own hook would race it.
    config.setProperty(ClusterProperty.SHUTDOWNHOOK_ENABLED.getName(), "false");
    if (System.getProperty(ClusterProperty.LOGGING_TYPE.getName()) == null) {
      config.setProperty(
          ClusterProperty.LOGGING_TYPE.getName(), "jdk"); // as the rest of p2psync logs
    }
    return config;
  }

  /** Hazelcast counts these in whole seconds: round up, and never below {@code min}. */
  private static String seconds(Duration duration, int min) {
    long rounded = (duration.toMillis() + 999) / 1000;
    return String.valueOf(Math.max(min, rounded));
  }
}
