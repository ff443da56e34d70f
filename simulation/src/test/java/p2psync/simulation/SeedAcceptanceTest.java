package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;
import static p2psync.simulation.TestSupport.mtime;
import static p2psync.simulation.TestSupport.setMtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.FileNames;
import p2psync.peer.PeerOptions;

/** TC0–TC6 of the seed report, against real tracker and peer verticles on loopback. */
@ExtendWith(VertxExtension.class)
class SeedAcceptanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;
  Vertx vertx;
  Swarm swarm;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    swarm = new Swarm(vertx, root, TestSupport.fastConfig());
    await(swarm.startTracker(0));
  }

  @AfterEach
  void tearDown() {
    await(swarm.stopAll());
  }

  private void startThreePeers() {
    swarm.addPeer("Peer1", Map.of("fileA.txt", bytes("content of A\n")));
    swarm.addPeer("Peer2", Map.of("fileB.txt", bytes("content of B\n")));
    swarm.addPeer("Peer3", Map.of("fileC.txt", bytes("content of C\n")));
    await(swarm.startAll());
  }

  private void awaitConverged(Set<String> names) {
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                swarm.isConverged()
                    && swarm
                        .folderStates()
                        .values()
                        .iterator()
                        .next()
                        .files()
                        .keySet()
                        .equals(names));
  }

  @Test
  @DisplayName("TC0: only plain files directly in the folder are advertised, with integer mtimes")
  void tc0FileFiltering() throws Exception {
    Swarm.Peer peer1 =
        swarm.addPeer(
            "Peer1",
            Map.of(
                "fileA.txt",
                bytes("A"),
                "junk.dll",
                bytes("x"),
                "junk.so",
                bytes("x"),
                "temp.py",
                bytes("x")));
    Files.createDirectories(peer1.folder().resolve("sub"));
    Files.writeString(peer1.folder().resolve("sub").resolve("subfile.txt"), "nested");
    Files.writeString(peer1.folder().resolve(FileNames.newTempName()), "stale partial download");
    setMtime(peer1.folder().resolve("fileA.txt"), 1_771_289_241L);
    await(swarm.startPeer(peer1));

    await()
        .atMost(TestSupport.TIMEOUT)
        .until(() -> swarm.tracker().directoryLine().contains("fileA.txt"));
    JsonNode directory = JSON.readTree(swarm.tracker().directoryLine());
    assertThat(directory.fieldNames()).toIterable().containsExactly("fileA.txt");
    assertThat(directory.get("fileA.txt").get("mtime").isIntegralNumber()).isTrue();
    assertThat(directory.get("fileA.txt").get("mtime").longValue()).isEqualTo(1_771_289_241L);
    // The stale temp file of an earlier crash is gone.
    assertThat(FolderState.of(peer1.folder()).tempFiles()).isZero();
  }

  @Test
  @DisplayName("TC1: each peer binds a distinct free port, counting up from the first port")
  void tc1PortSelection() throws Exception {
    try (java.net.ServerSocket taken = takenPort()) {
      int base = taken.getLocalPort();
      swarm.config().setFirstPeerPort(base);
      for (String name : List.of("Peer1", "Peer2", "Peer3")) {
        swarm.addPeer(name, Map.of()).options().setPort(PeerOptions.FIRST_FREE_PORT);
      }
      await(swarm.startAll());
      Set<Integer> ports = new HashSet<>();
      for (Swarm.Peer peer : swarm.peers()) {
        ports.add(peer.verticle().actualPort());
      }
      assertThat(ports).hasSize(3).allSatisfy(p -> assertThat(p).isGreaterThan(base));
    }
  }

  /**
   * A port of our own below the ephemeral range (where other programs' connections do not land),
   * tried at random until one is free: the first port the peers must skip.
   */
  private static java.net.ServerSocket takenPort() throws java.io.IOException {
    java.io.IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      try {
        return new java.net.ServerSocket(port, 50, java.net.InetAddress.getByName("127.0.0.1"));
      } catch (java.net.BindException e) {
        last = e;
      }
    }
    throw last;
  }

  @Test
  @DisplayName(
      "TC2: the tracker keeps one connection per peer and answers every message with one directory")
  void tc2PersistentTrackerConnection() throws Exception {
    startThreePeers();
    await().atMost(TestSupport.TIMEOUT).until(() -> swarm.tracker().peerCount() == 3);

    try (Socket socket = new Socket("127.0.0.1", swarm.trackerPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out.write(
          bytes(
              "{\"port\": 8999, \"files\": [{\"name\": \"fileD.txt\", \"mtime\": 1700000000}]}\n"));
      JsonNode first = JSON.readTree(in.readLine());
      assertThat(first.get("fileD.txt").get("port").intValue()).isEqualTo(8999);
      assertThat(first.get("fileD.txt").get("ip").textValue()).isEqualTo("127.0.0.1");
      for (int i = 0; i < 3; i++) {
        out.write(bytes("{\"port\": 8999}\n"));
        assertThat(JSON.readTree(in.readLine()).has("fileD.txt")).isTrue();
      }
      // Two messages in one segment get two replies.
      out.write(bytes("{\"port\": 8999}\n{\"port\": 8999}\n"));
      assertThat(in.readLine()).startsWith("{");
      assertThat(in.readLine()).startsWith("{");
      // A message without "port" gets no reply: the next line answers the message after it.
      out.write(bytes("{\"hello\": 1}\n{\"port\": 8999, \"files\": []}\n"));
      assertThat(JSON.readTree(in.readLine()).has("fileD.txt")).isFalse();
    }
    // Peers receive directories again and again: their downloads converge.
    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));
  }

  @Test
  @DisplayName("TC3: peers download what they lack and converge on A, B and C")
  void tc3Convergence() {
    startThreePeers();
    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));
  }

  @Test
  @DisplayName("TC4: a newer version edited while peers were down propagates after a restart")
  void tc4NewerVersionPropagates() throws Exception {
    startThreePeers();
    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));

    for (Swarm.Peer peer : swarm.peers()) {
      await(swarm.stopPeer(peer));
    }
    Path edited = swarm.peer("Peer2").folder().resolve("fileB.txt");
    Files.writeString(edited, "content of B\nappended line\n");
    long newer = mtime(swarm.peer("Peer1").folder().resolve("fileB.txt")) + 10;
    setMtime(edited, newer);
    await(swarm.restartTracker());
    await(swarm.startAll());

    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));
    for (Swarm.Peer peer : swarm.peers()) {
      Path copy = peer.folder().resolve("fileB.txt");
      assertThat(copy).hasContent("content of B\nappended line");
      assertThat(mtime(copy)).isEqualTo(newer);
    }
  }

  @Test
  @DisplayName("TC5: a deleted file is fetched again, framed by an exact Content-Length")
  void tc5ContentLengthServing() throws Exception {
    startThreePeers();
    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));

    Swarm.Peer peer3 = swarm.peer("Peer3");
    byte[] expected = Files.readAllBytes(peer3.folder().resolve("fileC.txt"));
    try (Socket socket = new Socket("127.0.0.1", peer3.verticle().actualPort())) {
      socket.getOutputStream().write(bytes("fileC.txt\n"));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] response = in.readAllBytes();
      byte[] header = bytes("Content-Length: " + expected.length + "\n");
      assertThat(response).hasSize(header.length + expected.length);
      assertThat(java.util.Arrays.copyOf(response, header.length)).isEqualTo(header);
      assertThat(java.util.Arrays.copyOfRange(response, header.length, response.length))
          .isEqualTo(expected);
    }

    Files.delete(swarm.peer("Peer1").folder().resolve("fileC.txt"));
    awaitConverged(Set.of("fileA.txt", "fileB.txt", "fileC.txt"));
    assertThat(swarm.peer("Peer1").folder().resolve("fileC.txt")).hasBinaryContent(expected);
  }

  @Test
  @DisplayName(
      "TC6: a source killed mid-transfer leaves no partial file, and the file arrives once it is back")
  void tc6FailureLeavesNoPartialFile() throws Exception {
    byte[] big = new byte[4 * 1024 * 1024];
    new Random(6).nextBytes(big);
    GateProxy gate = new GateProxy(vertx);
    int gatePort = await(gate.listen());
    gate.limit(100_000); // the transfer stalls after 100 kB

    Swarm.Peer peer1 = swarm.addPeer("Peer1", Map.of("fileA.txt", bytes("A")));
    Swarm.Peer peer3 = swarm.addPeer("Peer3", Map.of("fileC.txt", big));
    peer3.options().setAdvertisedPort(gatePort);
    await(swarm.startPeer(peer3));
    gate.target(peer3.verticle().actualPort());
    await(swarm.startPeer(peer1));

    // Peer1 is receiving fileC into a temp file when Peer3 dies.
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(() -> gate.relayed() >= 100_000 && FolderState.of(peer1.folder()).tempFiles() == 1);
    await(swarm.stopPeer(peer3));

    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                peer1.verticle().transfers().failed() >= 1
                    && FolderState.of(peer1.folder()).tempFiles() == 0);
    assertThat(peer1.folder().resolve("fileC.txt")).doesNotExist();

    gate.limit(Long.MAX_VALUE);
    await(swarm.startPeer(peer3));
    gate.target(peer3.verticle().actualPort());
    awaitConverged(Set.of("fileA.txt", "fileC.txt"));
    assertThat(peer1.folder().resolve("fileC.txt")).hasBinaryContent(big);
    await(gate.close());
  }
}
