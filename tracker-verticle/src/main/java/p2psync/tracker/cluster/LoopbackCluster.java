package p2psync.tracker.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import p2psync.common.SyncConfig;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * Tracker nodes clustered in one JVM on 127.0.0.1, one clustered Vert.x instance each: the harness
 * of the cluster tests and simulations. TCP/IP join with the nodes running (and the first one), a
 * cluster name of its own (nothing else on the machine can join it), tracker ports chosen by the
 * OS. Blocking: call it from a test or main thread, never from an event loop.
 */
public final class LoopbackCluster implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A node: its clustered Vert.x and the tracker verticle in it. */
  public record Node(ClusterNode cluster, TrackerVerticle tracker) {
    public int port() {
      return tracker.actualPort();
    }

    /** The node's directory line; see {@link TrackerVerticle#directoryLine()}. */
    public String line() {
      return tracker.directoryLine();
    }
  }

  /**
   * {@code config} with cluster timings for tests: no join wait, 1 s heartbeats, a node dead after
   * 2 s without one (Hazelcast counts whole seconds), sync heartbeats every 200 ms, merges every 2
   * s.
   */
  public static SyncConfig shrink(SyncConfig config) {
    return config
        .setClusterHeartbeatInterval(Duration.ofSeconds(1))
        .setClusterMemberTimeout(Duration.ofSeconds(2))
        .setClusterSyncInterval(Duration.ofMillis(200))
        .setClusterJoinWait(Duration.ZERO)
        .setClusterMergeDelay(Duration.ofSeconds(2));
  }

  private final SyncConfig config;
  private final String name = "p2psync-loopback-" + UUID.randomUUID();
  private final int firstPort = memberPort();
  private final List<Node> nodes = new ArrayList<>();
  private final Map<Node, Handler<DeliveryContext<Object>>> partitions = new HashMap<>();

  public LoopbackCluster(SyncConfig config) {
    this.config = config;
  }

  public SyncConfig config() {
    return config;
  }

  /** The live nodes, oldest first. */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Starts a node (its tracker on a port the OS picks) and waits until it serves. */
  public Node start() {
    // Every live node as a member to join, as an operator lists them: the first may be gone by now.
    List<String> members = new ArrayList<>(List.of("127.0.0.1:" + firstPort));
    for (Node node : nodes) {
      members.add(
          "127.0.0.1:"
              + node.cluster()
                  .clusterManager()
                  .getHazelcastInstance()
                  .getCluster()
                  .getLocalMember()
                  .getAddress()
                  .getPort());
    }
    ClusterOptions options =
        new ClusterOptions()
            .setHost("127.0.0.1")
            .setPort(nodes.isEmpty() ? firstPort : memberPort())
            .setMembers(members)
            .setName(name);
    ClusterNode cluster = get(ClusterNode.start(options, config));
    TrackerVerticle tracker =
        new TrackerVerticle(
            new TrackerOptions().setHost("127.0.0.1").setPort(0).setSync(config),
            cluster.replication());
    try {
      get(cluster.vertx().deployVerticle(tracker));
    } catch (RuntimeException e) {
      cluster.vertx().close();
      throw e;
    }
    Node node = new Node(cluster, tracker);
    nodes.add(node);
    return node;
  }

  /**
   * As {@code kill -9} does to a node: its member vanishes without a goodbye and its sockets close
   * (the peers' connections with them).
   */
  public void kill(Node node) {
    removeInterceptors(node);
    node.cluster().clusterManager().getHazelcastInstance().getLifecycleService().terminate();
    nodes.remove(node);
    node.cluster().vertx().close();
  }

  /** Stops a node as Ctrl-C does: it leaves the cluster, and the others drop its peers at once. */
  public void stop(Node node) {
    removeInterceptors(node);
    nodes.remove(node);
    get(node.cluster().vertx().close());
  }

  private void removeInterceptors(Node node) {
    Handler<DeliveryContext<Object>> interceptor = partitions.remove(node);
    if (interceptor != null) {
      node.cluster().vertx().eventBus().removeInboundInterceptor(interceptor);
    }
  }

  /**
   * Cuts the replication between {@code side} and the other nodes: every record, state and request
   * one side publishes is dropped on arrival at the other, as a partition shorter than {@code
   * clusterMemberTimeout} does (Hazelcast's membership stays whole: a partition long enough to
   * split it is only possible with real networks between the nodes). Nodes of {@code side} that are
   * no longer running are left out, and nodes started later are on neither side. {@link #heal()}
   * ends it.
   */
  public void partition(List<Node> side) {
    heal();
    Set<String> sideIds = new HashSet<>();
    side.stream()
        .filter(nodes::contains)
        .forEach(node -> sideIds.add(memberId(node))); // dead ones have no side
    for (Node node : nodes) {
      boolean inSide = sideIds.contains(memberId(node));
      Handler<DeliveryContext<Object>> interceptor =
          delivery -> {
            String address = delivery.message().address();
            boolean records = ClusterReplication.RECORDS.equals(address);
            if ((records || ClusterReplication.SYNC.equals(address))
                && delivery.message().body() instanceof JsonObject body) {
              String from =
                  body.getString(records ? "node" : "from"); // a request's "node" is the one asked
              if (from != null && sideIds.contains(from) != inSide) {
                return; // from the other side: lost on the way
              }
            }
            delivery.next();
          };
      node.cluster().vertx().eventBus().addInboundInterceptor(interceptor);
      partitions.put(node, interceptor);
    }
  }

  /** Ends a {@link #partition}; the nodes' next sync heartbeats repair what was lost. */
  public void heal() {
    partitions.forEach(
        (node, interceptor) ->
            node.cluster().vertx().eventBus().removeInboundInterceptor(interceptor));
    partitions.clear();
  }

  private static String memberId(Node node) {
    return node.cluster()
        .clusterManager()
        .getHazelcastInstance()
        .getCluster()
        .getLocalMember()
        .getUuid()
        .toString();
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

  private static <T> T get(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cluster node: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cluster node not ready within " + TIMEOUT, e);
    }
  }

  /**
   * A port free now on 127.0.0.1; Hazelcast takes the next one up if another process beats it to
   * it.
   */
  /**
   * A free loopback port for a Hazelcast member, below Linux's ephemeral range (32768 and up). The
   * others keep reconnecting to a killed member's port; were it an ephemeral one, a reconnect's own
   * local port could be that very port, and TCP connects such a socket to itself (Hazelcast fails
   * with "Connecting to self!").
   */
  public static int memberPort() {
    int span = 32_000 - 20_000;
    int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = 20_000 + (start + i) % span;
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new UncheckedIOException(new IOException("no free port in 20000..31999 on loopback"));
  }
}
