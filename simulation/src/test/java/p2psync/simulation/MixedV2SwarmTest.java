package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.ask;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed peers and v2 peers in one swarm on our tracker: they converge, seed parties never see a v2
 * byte, and v2 peers learn every holder of a version and become holders themselves.
 */
@ExtendWith(VertxExtension.class)
class MixedV2SwarmTest {
  @TempDir Path root;
  Swarm swarm;

  @BeforeEach
  void setUp(Vertx vertx) {
    swarm = new Swarm(vertx, root, TestSupport.fastConfig());
  }

  @AfterEach
  void tearDown() {
    await(swarm.stopAll());
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void seedAndV2PeersConvergeAndSeedPartiesNeverSeeV2() throws Exception {
    int trackerPort = await(swarm.startTracker(0));
    swarm.addPeer("seed1", Map.of("fromSeed1.bin", random(150_000, 1))).options().setProtocol(1);
    swarm.addPeer("seed2", Map.of("fromSeed2.txt", bytes("seed two\n"))).options().setProtocol(1);
    swarm
        .addPeer("v2a", Map.of("fromV2a.bin", random(400_000, 2), "empty", bytes("")))
        .options()
        .setProtocol(2);
    swarm.addPeer("v2b", Map.of("fromV2b.txt", bytes("v2 b\n"))).options().setProtocol(2);
    swarm.addPeer("v2c", Map.of()).options().setProtocol(2);
    await(swarm.startAll());

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(swarm::isConverged);
    assertThat(swarm.folderStates().get("seed1").files())
        .containsOnlyKeys("fromSeed1.bin", "fromSeed2.txt", "fromV2a.bin", "fromV2b.txt", "empty");

    // Every v2 peer ends up a holder of fromV2a.bin, hashed, listed on the v2 line; the seed line
    // and what the seed peers read name one holder and nothing else.
    String sources =
        "\"sources\": [{\"ip\": \"127.0.0.1\", \"port\": %d}, {\"ip\": \"127.0.0.1\", \"port\": %d},"
            + " {\"ip\": \"127.0.0.1\", \"port\": %d}]";
    int[] ports =
        java.util.stream.Stream.of("v2a", "v2b", "v2c")
            .mapToInt(n -> swarm.peer(n).verticle().advertisedPort())
            .sorted()
            .toArray();
    String expected = String.format(sources, ports[0], ports[1], ports[2]);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(ask(trackerPort, "{\"port\": 1, \"v\": 2}")).contains(expected));
    String seedLine = ask(trackerPort, "{\"port\": 1}");
    assertThat(seedLine).doesNotContain("sha256").doesNotContain("sources").doesNotContain("size");
    assertThat(swarm.tracker().directoryLine()).isEqualTo(seedLine);
    // a file only seed peers hold is a seed entry on the v2 line too, until v2 peers hash it
    assertThat(swarm.peer("seed1").downloadsFailed()).isZero();
    assertThat(swarm.peer("seed2").downloadsFailed()).isZero();
  }
}
