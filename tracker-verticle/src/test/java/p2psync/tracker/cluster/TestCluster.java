package p2psync.tracker.cluster;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import p2psync.common.SyncConfig;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * Tracker nodes clustered in one JVM, one clustered Vert.x instance each, tuned for tests: TCP/IP
 * join on 127.0.0.1 only, no join wait, 1 s heartbeats, a cluster name of its own so that nothing
 * else on the machine can join it.
 */
final class TestCluster implements AutoCloseable {
  /** Peers expire after 4 s of silence, nodes after 2 s without a heartbeat. */
  static SyncConfig config() {
    return new SyncConfig()
        .setKeepAliveInterval(Duration.ofSeconds(1))
        .setTrackerExpiry(Duration.ofSeconds(4))
        .setClusterHeartbeatInterval(Duration.ofSeconds(1))
        .setClusterMemberTimeout(Duration.ofSeconds(2))
        .setClusterSyncInterval(Duration.ofMillis(200))
        .setClusterJoinWait(Duration.ZERO)
        .setClusterMergeDelay(Duration.ofSeconds(2));
  }

  record Node(ClusterNode cluster, TrackerVerticle tracker) {
    int port() {
      return tracker.actualPort();
    }

    String line() {
      return tracker.directoryLine();
    }
  }

  final SyncConfig config = config();
  final String name = "p2psync-test-" + UUID.randomUUID();
  final int firstPort = freePort();
  final List<Node> nodes = new ArrayList<>();

  Node start() {
    ClusterOptions options = new ClusterOptions()
        .setHost("127.0.0.1")
        .setPort(nodes.isEmpty() ? firstPort : freePort())
        .setMembers(List.of("127.0.0.1:" + firstPort))
        .setName(name);
    ClusterNode cluster = get(ClusterNode.start(options, config));
    TrackerVerticle tracker = new TrackerVerticle(
        new TrackerOptions().setHost("127.0.0.1").setPort(0).setSync(config), cluster.replication());
    get(cluster.vertx().deployVerticle(tracker));
    Node node = new Node(cluster, tracker);
    nodes.add(node);
    return node;
  }

  /** As {@code kill -9} does to a node: its member vanishes without a goodbye, its sockets close. */
  void kill(Node node) {
    node.cluster().clusterManager().getHazelcastInstance().getLifecycleService().terminate();
    nodes.remove(node);
    node.cluster().vertx().close();
  }

  @Override
  public void close() {
    List<Future<Void>> closed = new ArrayList<>();
    for (Node node : nodes) {
      closed.add(node.cluster().vertx().close());
    }
    nodes.clear();
    get(Future.join(closed).mapEmpty());
  }

  static <T> T get(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
