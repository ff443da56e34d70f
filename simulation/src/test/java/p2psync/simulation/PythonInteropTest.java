package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.tracker.cluster.LoopbackCluster;

/**
 * p2psync against seed-protocol programs written in Python ({@code interop/python}, stand-ins for
 * the course's tracker.py and fileSynchronizer.py): our tracker with their peers, their tracker
 * with our peers, and mixed swarms. Skipped, visibly, where there is no python3.
 */
@ExtendWith(VertxExtension.class)
class PythonInteropTest {
  private static final Path FIXTURES =
      Path.of("..", "interop", "python").toAbsolutePath().normalize();

  @TempDir Path root;
  Vertx vertx;
  Swarm swarm;
  final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void requirePython() {
    PythonStandIns.assumePython("interop with Python seed programs");
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    swarm = new Swarm(vertx, root.resolve("ours"), TestSupport.fastConfig());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    await(swarm.stopAll());
  }

  private Process python(Path cwd, String script, Map<String, String> env, String... args)
      throws IOException {
    List<String> command =
        new ArrayList<>(List.of("python3", "-u", FIXTURES.resolve(script).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve(cwd.getFileName() + "-" + script + ".log").toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  /** A course-style peer in its own folder holding {@code files}. */
  private Path pythonPeer(String name, int trackerPort, Map<String, byte[]> files)
      throws IOException {
    Path folder = Files.createDirectories(root.resolve(name));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Files.write(folder.resolve(file.getKey()), file.getValue());
    }
    int firstPort = 30_000 + ThreadLocalRandom.current().nextInt(20_000);
    python(
        folder,
        "fileSynchronizer.py",
        Map.of("SEED_FIRST_PORT", String.valueOf(firstPort), "SEED_KEEPALIVE_SECONDS", "0.3"),
        "127.0.0.1",
        String.valueOf(trackerPort));
    return folder;
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private void awaitIdentical(List<Path> folders, Set<String> names) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              FolderState first = FolderState.of(folders.get(0));
              if (!first.files().keySet().equals(names)) {
                return false;
              }
              for (Path folder : folders) {
                FolderState state = FolderState.of(folder);
                if (!state.files().equals(first.files()) || state.tempFiles() > 0) {
                  return false;
                }
              }
              return true;
            });
  }

  private List<Path> ourFolders() {
    return swarm.peers().stream().map(Swarm.Peer::folder).toList();
  }

  @Test
  void ourTrackerServesPythonPeersAndOurs() throws Exception {
    int trackerPort = await(swarm.startTracker(0));
    Path py1 = pythonPeer("py1", trackerPort, Map.of("fromPython1.bin", randomBytes(300_000, 1)));
    Path py2 =
        pythonPeer("py2", trackerPort, Map.of("fromPython2.txt", bytes("hello from python\n")));
    swarm.addPeer(
        "java1",
        Map.of(
            "fromJava1.bin",
            randomBytes(200_000, 2),
            "caf\u00e9 \u00fcber.txt",
            bytes("non-ascii name")));
    swarm.addPeer("java2", Map.of("fromJava2.txt", bytes("")));
    await(swarm.startAll());

    List<Path> all = new ArrayList<>(List.of(py1, py2));
    all.addAll(ourFolders());
    awaitIdentical(
        all,
        Set.of(
            "fromPython1.bin",
            "fromPython2.txt",
            "fromJava1.bin",
            "fromJava2.txt",
            "caf\u00e9 \u00fcber.txt"));
  }

  @Test
  void aTrackerClusterServesPythonPeersOnDifferentNodesWithOursThroughANodeKill() throws Exception {
    try (LoopbackCluster cluster =
        new LoopbackCluster(LoopbackCluster.shrink(TestSupport.fastConfig()))) {
      List<LoopbackCluster.Node> nodes = List.of(cluster.start(), cluster.start(), cluster.start());
      Path py1 =
          pythonPeer(
              "py1", nodes.get(0).port(), Map.of("fromPython1.bin", randomBytes(100_000, 3)));
      Path py2 =
          pythonPeer(
              "py2", nodes.get(1).port(), Map.of("fromPython2.txt", bytes("hello from python\n")));
      Swarm.Peer java1 = swarm.addPeer("java1", Map.of("fromJava1.bin", randomBytes(50_000, 4)));
      swarm.useTracker(java1, "127.0.0.1", nodes.get(2).port());
      java1
          .options()
          .setTrackers(
              List.of("127.0.0.1:" + nodes.get(0).port(), "127.0.0.1:" + nodes.get(1).port()));
      Swarm.Peer java2 = swarm.addPeer("java2", Map.of("fromJava2.txt", bytes("")));
      swarm.useTracker(java2, "127.0.0.1", nodes.get(0).port());
      await(swarm.startAll());

      List<Path> all = new ArrayList<>(List.of(py1, py2));
      all.addAll(ourFolders());
      awaitIdentical(
          all, Set.of("fromPython1.bin", "fromPython2.txt", "fromJava1.bin", "fromJava2.txt"));

      // java1's node dies: java1 fails over, and what it writes next still reaches the seed peers
      cluster.kill(nodes.get(2));
      Files.writeString(
          java1.folder().resolve("afterTheKill.txt"), "written while its node is dead\n");
      awaitIdentical(
          all,
          Set.of(
              "fromPython1.bin",
              "fromPython2.txt",
              "fromJava1.bin",
              "fromJava2.txt",
              "afterTheKill.txt"));
    }
  }

  @Test
  void pythonTrackerServesOurPeersAndPythonPeers() throws Exception {
    int trackerPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      trackerPort = probe.getLocalPort();
    }
    Path trackerDir = Files.createDirectories(root.resolve("tracker"));
    python(trackerDir, "tracker.py", Map.of(), "127.0.0.1", String.valueOf(trackerPort));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try (java.net.Socket s = new java.net.Socket("127.0.0.1", trackerPort)) {
                return true;
              } catch (IOException e) {
                return false;
              }
            });
    swarm.useTracker("127.0.0.1", trackerPort);
    swarm.addPeer("java1", Map.of("fileA.txt", bytes("A from java\n")));
    swarm.addPeer("java2", Map.of("fileB.bin", randomBytes(500_000, 3)));
    await(swarm.startAll());
    Path py = pythonPeer("py1", trackerPort, Map.of("fileC.txt", bytes("C from python\n")));

    List<Path> all = new ArrayList<>(ourFolders());
    all.add(py);
    awaitIdentical(all, Set.of("fileA.txt", "fileB.bin", "fileC.txt"));
    assertThat(Files.readString(root.resolve("tracker-tracker.py.log")))
        .contains("Waiting for connections on port " + trackerPort);
  }
}
