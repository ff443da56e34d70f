package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.DirectoryEntry;
import p2psync.common.SeedCodec;
import p2psync.peer.delta.DeltaStatus;
import p2psync.tracker.cluster.LoopbackCluster;
import p2psync.tracker.cluster.LoopbackCluster.Node;

/**
 * v2 peers on directory deltas with real trackers: a pushed change starts downloads without a
 * KeepAlive, and a peer that loses its tracker node (so misses every delta meanwhile) holds, after
 * one whole directory from the next node, exactly that node's directory.
 */
@ExtendWith(VertxExtension.class)
class DeltaSwarmTest {
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

  private static DeltaStatus status(Swarm.Peer peer) {
    return await(peer.verticle().deltaStatus());
  }

  /** The v2 directory a node serves, as a plain v2 connection reads it. */
  private static Map<String, DirectoryEntry> v2Directory(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("{\"port\": 1, \"v\": 2}\n".getBytes(StandardCharsets.UTF_8));
      String line =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      return SeedCodec.decodeDirectory(Buffer.buffer(line)).entries();
    }
  }

  @Test
  void aPushedChangeStartsDownloadsWithoutWaitingForAKeepAlive(Vertx vertx) throws Exception {
    // KeepAlives a minute apart: within the test only a push can bring the new file
    swarm =
        new Swarm(
            vertx,
            root,
            TestSupport.fastConfig()
                .setKeepAliveInterval(Duration.ofSeconds(60))
                .setDirectoryPushInterval(Duration.ofMillis(50)));
    await(swarm.startTracker(0));
    Swarm.Peer waiting = swarm.addPeer("waiting", Map.of());
    waiting.options().setProtocol(2);
    Swarm.Peer joining =
        swarm.addPeer("joining", Map.of("news.txt", bytes("pushed, not polled\n")));
    joining.options().setProtocol(2);
    await(swarm.startPeer(waiting));
    // its Init and its v2 Init are answered: from now on it sends nothing for a minute
    await().atMost(Duration.ofSeconds(10)).until(() -> status(waiting).applied() >= 2);
    long before = status(waiting).applied();

    await(swarm.startPeer(joining));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> swarm.folderStates().get("waiting").files().containsKey("news.txt"));
    DeltaStatus after = status(waiting);
    assertThat(after.applied()).isGreaterThan(before);
    assertThat(after.refused()).isZero();
    assertThat(after.entries()).isEqualTo(v2Directory(swarm.trackerPort()));
  }

  @Test
  void aPeerThatFailsOverGetsOneWholeDirectoryThenFollowsTheNewNodeExactly(Vertx vertx)
      throws Exception {
    cluster =
        new LoopbackCluster(
            LoopbackCluster.shrink(
                TestSupport.fastConfig().setDirectoryPushInterval(Duration.ofMillis(50))));
    List<Node> nodes = List.of(cluster.start(), cluster.start());
    swarm = new Swarm(vertx, root, cluster.config());
    for (int i = 0; i < 3; i++) {
      Swarm.Peer peer =
          swarm.addPeer("peer" + i, Map.of("from-peer" + i + ".txt", bytes("content " + i + "\n")));
      peer.options().setProtocol(2);
      // peer0 on node 0, falling over to node 1; the others on node 1
      Node main = nodes.get(i == 0 ? 0 : 1);
      peer.options().setTrackers(List.of("127.0.0.1:" + nodes.get(1).port()));
      swarm.useTracker("127.0.0.1", main.port());
      await(swarm.startPeer(peer));
    }
    Swarm.Peer moving = swarm.peer("peer0");
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                swarm.isConverged()
                    && swarm.folderStates().get("peer0").files().size() == 3
                    && status(moving).entries().equals(v2Directory(nodes.get(0).port())));
    long firstEpoch = status(moving).epoch();

    cluster.kill(nodes.get(0));
    Files.writeString(swarm.peer("peer2").folder().resolve("after.txt"), "while it moved\n");
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                swarm.isConverged()
                    && swarm.folderStates().get("peer0").files().containsKey("after.txt"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              DeltaStatus moved = status(moving);
              assertThat(moved.epoch()).isNotEqualTo(firstEpoch).isPositive();
              assertThat(moved.entries()).isEqualTo(v2Directory(nodes.get(1).port()));
            });
    // the new node's epoch was not taken for the old one's: no line was refused
    assertThat(status(moving).refused()).isZero();
  }
}
