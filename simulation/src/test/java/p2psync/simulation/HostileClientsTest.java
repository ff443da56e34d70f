package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A swarm converges, and its tracker keeps answering, while a stream of hostile clients hits every
 * port.
 */
@ExtendWith(VertxExtension.class)
class HostileClientsTest {
  private static final int HOSTILE_CONNECTIONS = 400;

  @TempDir Path root;

  @Test
  void goodPeersAreServedWhileHostileClientsHammerEveryPort(Vertx vertx) throws Exception {
    // A longer expiry than fastConfig's 600 ms: two loaded cores can delay a keepalive that long.
    Swarm swarm =
        new Swarm(
            vertx,
            root,
            TestSupport.fastConfig()
                .setMaxLineBytes(64 * 1024)
                .setTrackerExpiry(java.time.Duration.ofSeconds(3)));
    await(swarm.startTracker(0));
    swarm.addPeer("Peer1", Map.of("fileA.txt", bytes("A")));
    swarm.addPeer("Peer2", Map.of("fileB.txt", new byte[300_000]));
    await(swarm.startAll());
    List<Integer> ports = new ArrayList<>(List.of(swarm.trackerPort()));
    swarm.peers().forEach(p -> ports.add(p.verticle().actualPort()));

    ExecutorService attackers = Executors.newFixedThreadPool(8);
    AtomicInteger done = new AtomicInteger();
    List<Future<?>> attacks = new ArrayList<>();
    for (int i = 0; i < HOSTILE_CONNECTIONS; i++) {
      int seed = i;
      attacks.add(
          attackers.submit(
              () -> {
                attack(ports.get(seed / 8 % ports.size()), seed % 8, new Random(seed));
                done.incrementAndGet();
              }));
    }
    try {
      // A late joiner must still converge with everyone while the attack goes on.
      swarm.addPeer("Peer3", Map.of("fileC.txt", bytes("C")));
      await(swarm.startAll());
      await()
          .atMost(TestSupport.TIMEOUT)
          .until(
              () ->
                  swarm.isConverged()
                      && swarm
                          .folderStates()
                          .get("Peer3")
                          .files()
                          .keySet()
                          .equals(Set.of("fileA.txt", "fileB.txt", "fileC.txt")));
      for (Future<?> attack : attacks) {
        attack.get(60, TimeUnit.SECONDS);
      }
      assertThat(done).hasValue(HOSTILE_CONNECTIONS);
      assertThat(swarm.tracker().peerCount()).isEqualTo(3);
      for (Swarm.Peer peer : swarm.peers()) {
        assertThat(FolderState.of(peer.folder()).files()).hasSize(3);
      }
    } finally {
      attackers.shutdownNow();
      await(swarm.stopAll());
    }
  }

  /** One hostile connection: garbage of some kind, then gone (or left hanging for the timeouts). */
  private static void attack(int port, int kind, Random random) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(300); // an attacker does not wait long for an answer
      OutputStream out = socket.getOutputStream();
      switch (kind) {
        case 0 -> {
          byte[] noise = new byte[random.nextInt(4096) + 1];
          random.nextBytes(noise);
          out.write(noise);
        }
        case 1 ->
            out.write(
                bytes(
                    "{\"port\": 8000, \"files\": [{\"name\": \"../../etc/passwd\", \"mtime\": 1}]}\n"));
        case 2 -> out.write(bytes("../../../../etc/passwd\n/etc/shadow\n"));
        case 3 -> out.write(bytes("{\"port\": \"not a number\"}\n{{{{\n"));
        case 4 -> out.write(bytes("x".repeat(100_000)));
        case 5 -> out.write(bytes("fileA.tx")); // never finished
        case 6 -> out.write(new byte[] {(byte) 0xff, (byte) 0xfe, 0, '\n'});
        default -> {} // connect and say nothing
      }
      out.flush();
      socket.getInputStream().read(new byte[1024]); // whatever comes back, or the timeout
    } catch (Exception e) {
      // refused, reset or timed out: all fine for an attacker
    }
  }
}
