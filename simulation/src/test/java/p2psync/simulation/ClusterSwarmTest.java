package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.tracker.cluster.LoopbackCluster;
import p2psync.tracker.cluster.LoopbackCluster.Node;

/** Java peers spread over three clustered tracker nodes; one node is killed mid-swarm. */
@ExtendWith(VertxExtension.class)
class ClusterSwarmTest {
  @TempDir Path root;
  LoopbackCluster cluster;
  Swarm swarm;

  @AfterEach
  void tearDown() {
    if (swarm != null) {
      await(swarm.stopAll());
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void peersOnDifferentNodesConvergeAndThePeersOfAKilledNodeFailOver(Vertx vertx) throws Exception {
    cluster = new LoopbackCluster(LoopbackCluster.shrink(TestSupport.fastConfig()));
    List<Node> nodes = List.of(cluster.start(), cluster.start(), cluster.start());
    swarm = new Swarm(vertx, root, cluster.config());
    for (int i = 0; i < 6; i++) {
      Swarm.Peer peer =
          swarm.addPeer("peer" + i, Map.of("from-peer" + i + ".txt", bytes("content " + i + "\n")));
      // Two peers per node, the other nodes as fail-over in order.
      Node main = nodes.get(i % 3);
      List<String> others = new ArrayList<>();
      for (int k = 1; k < 3; k++) {
        others.add("127.0.0.1:" + nodes.get((i + k) % 3).port());
      }
      peer.options().setTrackers(others);
      swarm.useTracker("127.0.0.1", main.port());
      await(swarm.startPeer(peer));
    }
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(() -> swarm.isConverged() && swarm.folderStates().get("peer0").files().size() == 6);

    cluster.kill(nodes.get(0)); // peer0 and peer3 lose their tracker
    Files.writeString(
        swarm.peer("peer3").folder().resolve("after-the-kill.txt"),
        "written while its node is dead\n");
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                swarm.isConverged()
                    && swarm.folderStates().get("peer1").files().containsKey("after-the-kill.txt"));
    assertThat(swarm.folderStates().get("peer4").files()).hasSize(7);
    // the survivors agree, and peer3 is served by one of them under its own address
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> nodes.get(1).line().equals(nodes.get(2).line()));
    assertThat(nodes.get(1).line()).contains("after-the-kill.txt");
  }
}
