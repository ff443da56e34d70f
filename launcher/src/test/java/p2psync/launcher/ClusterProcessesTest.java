package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2psync.tracker.SeedClient;
import p2psync.tracker.cluster.LoopbackCluster;

/**
 * Three {@code p2psync tracker --cluster} processes on loopback, as an operator starts them; one is
 * killed with SIGKILL.
 */
@Timeout(180)
class ClusterProcessesTest {
  private static final Pattern LISTENING =
      Pattern.compile("Waiting for connections on port (\\d+)");
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killAll() {
    processes.forEach(Process::destroyForcibly);
  }

  /** Starts a node; completes with its tracker port once it serves. */
  CompletableFuture<Integer> node(int clusterPort, int firstClusterPort) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "tracker",
                "127.0.0.1",
                "0",
                "--cluster",
                "--cluster-port",
                String.valueOf(clusterPort),
                "--cluster-members",
                "127.0.0.1:" + firstClusterPort)
            .redirectErrorStream(true);
    // the timings through the environment, as an operator would shrink them
    builder.environment().put("P2PSYNC_KEEP_ALIVE_INTERVAL", "1s");
    builder.environment().put("P2PSYNC_TRACKER_EXPIRY", "6s");
    builder.environment().put("P2PSYNC_CLUSTER_MEMBER_TIMEOUT", "2s");
    builder.environment().put("P2PSYNC_CLUSTER_JOIN_WAIT", "0s");
    builder.environment().put("P2PSYNC_CLUSTER_SYNC_INTERVAL", "200ms");
    Process process = builder.start();
    processes.add(process);
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  System.out.println("[node " + clusterPort + "] " + line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(
                  new IllegalStateException("node exited before it listened"));
            },
            "node-" + clusterPort);
    reader.setDaemon(true);
    reader.start();
    return port;
  }

  @Test
  void threeTrackerProcessesServeOneDirectoryAndADeadOnesPeersLeaveWithinTrackerExpiry()
      throws Exception {
    int first = freePort();
    List<CompletableFuture<Integer>> starting =
        List.of(node(first, first), node(freePort(), first), node(freePort(), first));
    List<Integer> ports = new ArrayList<>();
    for (CompletableFuture<Integer> port : starting) {
      ports.add(port.get(120, TimeUnit.SECONDS));
    }
    String claim = "{\"doomed.txt\": {\"ip\": \"127.0.0.1\", \"port\": 8300, \"mtime\": 9}}";
    try (SeedClient onFirst = new SeedClient(ports.get(0));
        SeedClient onLast = new SeedClient(ports.get(2))) {
      assertThat(
              onFirst.ask(
                  "{\"port\": 8300, \"files\": [{\"name\": \"doomed.txt\", \"mtime\": 9}]}"))
          .isEqualTo(claim);
      // the nodes found each other whenever they started: the claim reaches the last one
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                onFirst.ask(
                    "{\"port\": 8300}"); // a KeepAlive: the claim must not expire while we wait
                return onLast.ask("{\"port\": 8301}").equals(claim);
              });

      long killedAt = System.nanoTime();
      processes.get(0).destroyForcibly(); // SIGKILL
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> onLast.ask("{\"port\": 8301}").equals("{}"));
      long millis = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.println("kill -9 of a node: its peers left the others after " + millis + " ms");
      assertThat(millis).isLessThan(6_000); // trackerExpiry
    }
  }

  /** Hazelcast ports out of the ephemeral range: see {@link LoopbackCluster#memberPort()}. */
  private static int freePort() {
    return LoopbackCluster.memberPort();
  }
}
