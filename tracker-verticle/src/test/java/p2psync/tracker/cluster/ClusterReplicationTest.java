package p2psync.tracker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import p2psync.common.SyncConfig;
import p2psync.tracker.SeedClient;
import p2psync.tracker.cluster.LoopbackCluster.Node;

/**
 * Three tracker nodes in one JVM, formed once for the class (forming a cluster costs seconds); each
 * test leaves the cluster as it found it, the last ones join and kill nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ClusterReplicationTest {
  static LoopbackCluster cluster;
  static Node a;
  static Node b;
  static Node c;

  @BeforeAll
  static void form() {
    // Peers expire after 6 s of silence; nodes after 2 s without a heartbeat (a killed node is
    // noticed
    // in about 0.5 s, but a loaded 2-core machine has taken 3.7 s).
    cluster =
        new LoopbackCluster(
            LoopbackCluster.shrink(
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofSeconds(2))
                    .setTrackerExpiry(Duration.ofSeconds(6))));
    a = cluster.start();
    b = cluster.start();
    c = cluster.start();
  }

  @AfterAll
  static void close() {
    cluster.close();
  }

  static String init(int port, String... nameMtimes) {
    String files =
        Arrays.stream(nameMtimes)
            .map(
                nm -> {
                  String[] parts = nm.split("@");
                  return "{\"name\": \"" + parts[0] + "\", \"mtime\": " + parts[1] + "}";
                })
            .collect(Collectors.joining(", "));
    return "{\"port\": " + port + ", \"files\": [" + files + "]}";
  }

  /**
   * The directory line naming {@code entries}, each {@code name@port@mtime}, as every node must
   * send it.
   */
  static String line(String... entries) {
    return Arrays.stream(entries)
        .map(
            e -> {
              String[] parts = e.split("@");
              return "\""
                  + parts[0]
                  + "\": {\"ip\": \"127.0.0.1\", \"port\": "
                  + parts[1]
                  + ", \"mtime\": "
                  + parts[2]
                  + "}";
            })
        .collect(Collectors.joining(", ", "{", "}"));
  }

  static void awaitAllServe(String expected, Node... nodes) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              for (Node node : nodes) {
                assertThat(node.line()).as("node on " + node.port()).isEqualTo(expected);
              }
            });
  }

  @Test
  @Order(1)
  void aPeerOfOneNodeIsInEveryNodesDirectoryAndLeavesThemAll() throws Exception {
    String expected;
    try (SeedClient peer = new SeedClient(a.port())) {
      expected = peer.ask(init(8001, "a.txt@100"));
      assertThat(expected).isEqualTo(line("a.txt@8001@100"));
      awaitAllServe(expected, a, b, c);
      // and a peer of another node gets it in its reply
      try (SeedClient other = new SeedClient(c.port())) {
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () -> assertThat(other.ask("{\"port\": 8002, \"files\": []}")).isEqualTo(expected));
      }
    }
    awaitAllServe("{}", a, b, c);
  }

  @Test
  @Order(1)
  void v2HashesAreReplicatedSoEveryNodeListsTheSameHolders() throws Exception {
    String sha = "c".repeat(64);
    String file = "{\"name\": \"v2.bin\", \"mtime\": 7, \"size\": 3, \"sha256\": \"" + sha + "\"}";
    try (SeedClient onA = new SeedClient(a.port());
        SeedClient onB = new SeedClient(b.port())) {
      onA.ask("{\"port\": 8041, \"v\": 2, \"files\": [" + file + "]}");
      onB.ask("{\"port\": 8042, \"v\": 2, \"files\": [" + file + "]}");
      String expected =
          "{\"\": {\"v\": 2}, \"v2.bin\": {\"ip\": \"127.0.0.1\", \"port\": 8041, \"mtime\": 7,"
              + " \"size\": 3,"
              + " \"sha256\": \""
              + sha
              + "\", \"sources\": [{\"ip\": \"127.0.0.1\", \"port\": 8041},"
              + " {\"ip\": \"127.0.0.1\", \"port\": 8042}]}}";
      try (SeedClient onC = new SeedClient(c.port())) {
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () ->
                    assertThat(onC.ask("{\"port\": 8043, \"v\": 2, \"files\": []}"))
                        .isEqualTo(expected));
      }
      awaitAllServe(line("v2.bin@8041@7"), a, b, c);
    }
    awaitAllServe("{}", a, b, c);
  }

  @Test
  @Order(2)
  void changesReachTheOtherNodesWithin250Milliseconds() throws Exception {
    List<Long> millis = new ArrayList<>();
    try (SeedClient peer = new SeedClient(b.port())) {
      for (int i = 1; i <= 20; i++) {
        long start = System.nanoTime();
        String line = peer.ask(init(8003, "change.bin@" + (1000 + i)));
        awaitAllServe(line, a, c);
        millis.add((System.nanoTime() - start) / 1_000_000);
      }
    }
    awaitAllServe("{}", a, b, c);
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.println("propagation between nodes (ms), sorted: " + sorted);
    assertThat(sorted.get(sorted.size() / 2)).as("median propagation, ms").isLessThan(250);
  }

  @Test
  @Order(3)
  void tiesGoToTheSameWinnerOnEveryNodeWhateverTheArrivalOrder() throws Exception {
    try (SeedClient high = new SeedClient(a.port())) {
      high.ask(init(8012, "tie.txt@500", "only-high.txt@1"));
      try (SeedClient low = new SeedClient(c.port());
          SeedClient middle = new SeedClient(b.port())) {
        low.ask(init(8010, "tie.txt@500"));
        middle.ask(init(8011, "tie.txt@500"));
        awaitAllServe(line("only-high.txt@8012@1", "tie.txt@8010@500"), a, b, c);
      }
      awaitAllServe(line("only-high.txt@8012@1", "tie.txt@8012@500"), a, b, c);
    }
    awaitAllServe("{}", a, b, c);
  }

  @Test
  @Order(4)
  void recordsANodeMissedAreRepairedByTheNextSyncHeartbeat() throws Exception {
    // As a short partition does to c: the records published meanwhile never reach it.
    cluster.partition(List.of(c));
    try (SeedClient peer = new SeedClient(a.port())) {
      String line = peer.ask(init(8030, "missed.txt@3"));
      awaitAllServe(line, a, b);
      assertThat(c.line()).isEqualTo("{}");
      cluster.heal();
      awaitAllServe(line, c);
    } finally {
      cluster.heal();
    }
    awaitAllServe("{}", a, b, c);
  }

  @Test
  @Order(5)
  void aJoiningNodeGetsTheFullStateAndAKilledNodesPeersLeaveWithinTrackerExpiry() throws Exception {
    ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();
    try (SeedClient onA = new SeedClient(a.port());
        SeedClient onB = new SeedClient(b.port())) {
      onA.ask(init(8020, "from-a.txt@1"));
      onB.ask(init(8021, "from-b.txt@2"));
      // Both peers stay alive however long a node takes to start on a loaded machine (replies
      // unread:
      // a few bytes a second).
      keepAlive.scheduleAtFixedRate(
          () -> {
            try {
              onA.send("{\"port\": 8020}\n");
              onB.send("{\"port\": 8021}\n");
            } catch (Exception e) {
              // b's peer loses its node below: nothing to keep alive there
            }
          },
          500,
          500,
          TimeUnit.MILLISECONDS);
      String both = line("from-a.txt@8020@1", "from-b.txt@8021@2");
      awaitAllServe(both, a, b, c);

      Node d = cluster.start();
      awaitAllServe(both, d);

      long killedAt = System.nanoTime();
      cluster.kill(b);
      String onlyA = line("from-a.txt@8020@1");
      awaitAllServe(onlyA, a, c, d);
      long detectedMillis = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.println(
          "a killed node's peers left the other nodes after " + detectedMillis + " ms");
      assertThat(detectedMillis).isLessThan(cluster.config().getTrackerExpiry().toMillis());
    } finally {
      keepAlive.shutdownNow();
    }
  }
}
