package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.web.HttpOptions;
import p2psync.common.web.Metrics;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * The status API and /metrics of a tracker and of a peer, read over HTTP from a running swarm, in a
 * Vert.x built with metrics (as the launcher builds it) so that Vert.x's own series show too.
 */
class WebStatusTest {
  @TempDir Path root;
  private Vertx vertx;
  private WebClient http;
  private Swarm swarm;

  @BeforeEach
  void start() {
    vertx = Metrics.vertx();
    http = WebClient.create(vertx);
    // A status shows who is connected: a loaded machine that delays a 200 ms keepalive past a
    // 600 ms expiry would show a peer reconnecting instead.
    swarm =
        new Swarm(vertx, root, TestSupport.fastConfig().setTrackerExpiry(Duration.ofSeconds(10)))
            .setTrackerHttpPort(0);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  void trackerAndPeerShowTheSwarmAndCountWhatMoves() throws Exception {
    await(swarm.startTracker(0));
    Swarm.Peer one = swarm.addPeer("Peer1", Map.of("a.txt", bytes("A"), "b.txt", bytes("BB")));
    swarm.addPeer("Peer2", Map.of("c.txt", new byte[100_000]));
    swarm.addPeer("Peer3", Map.of());
    one.options().getHttp().setPort(0);
    await(swarm.startAll());
    await().atMost(TestSupport.TIMEOUT).until(swarm::isConverged);
    int trackerHttp = swarm.tracker().httpPort();
    assertThat(trackerHttp).isPositive();

    // The tracker publishes what converged by the next message: wait for all three at 0 lacking.
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () ->
                json(trackerHttp, "/api/status")
                        .getJsonObject("totals")
                        .getInteger("convergedPeers")
                    == 3);
    JsonObject status = json(trackerHttp, "/api/status");
    assertThat(status.getString("role")).isEqualTo("tracker");
    assertThat(status.getJsonObject("totals").getInteger("peers")).isEqualTo(3);
    assertThat(status.getJsonObject("totals").getInteger("names")).isEqualTo(3);
    JsonArray peers = status.getJsonArray("peers");
    assertThat(peers).hasSize(3);
    for (int i = 0; i < peers.size(); i++) {
      JsonObject peer = peers.getJsonObject(i);
      assertThat(peer.getString("kind")).isEqualTo("seed");
      assertThat(peer.getBoolean("local")).isTrue();
      assertThat(peer.getLong("connectedSince")).isPositive();
      assertThat(peer.getLong("lastMessage"))
          .isGreaterThanOrEqualTo(peer.getLong("connectedSince"));
      assertThat(peer.getInteger("namesHeld")).isEqualTo(3);
      assertThat(peer.getInteger("lacking")).isZero();
      assertThat(peer.getJsonObject("files").fieldNames())
          .containsExactlyInAnyOrder("a.txt", "b.txt", "c.txt");
    }
    assertThat(status.getJsonArray("names").stream().map(n -> ((JsonObject) n).getString("name")))
        .containsExactly("a.txt", "b.txt", "c.txt");
    assertThat(status.getJsonObject("cluster").getJsonArray("nodes")).isEmpty();
    assertThat(status.getJsonArray("events").encode()).contains("joined");

    String metrics = text(trackerHttp, "/metrics");
    assertThat(metrics)
        .contains("p2psync_tracker_peers 3.0")
        .contains("p2psync_tracker_directory_names 3.0")
        .contains("p2psync_tracker_message_seconds_bucket{type=\"init\"")
        .contains("p2psync_tracker_message_seconds_count{type=\"keepalive\"}")
        .contains("vertx_net_server_active_connections");
    double encodes = value(metrics, "p2psync_tracker_directory_encodes_total");
    assertThat(encodes).isPositive();

    // The peer with an endpoint: its folder, its tracker, what it fetched.
    int peerHttp = one.verticle().httpPort();
    JsonObject peer = json(peerHttp, "/api/status");
    assertThat(peer.getString("role")).isEqualTo("peer");
    assertThat(peer.getString("folder")).isEqualTo(one.folder().toString());
    assertThat(peer.getJsonObject("tracker").getBoolean("connected")).isTrue();
    assertThat(peer.getJsonObject("files").fieldNames()).contains("a.txt", "b.txt", "c.txt");
    assertThat(peer.containsKey("sync")).as("a seed peer has no sync state").isFalse();
    JsonObject transfers = peer.getJsonObject("transfers");
    assertThat(transfers.getLong("completed")).isEqualTo(1);
    JsonObject fetched = transfers.getJsonArray("recent").getJsonObject(0);
    assertThat(fetched.getString("name")).isEqualTo("c.txt");
    assertThat(fetched.getString("result")).isEqualTo("done");
    assertThat(fetched.getLong("bytes")).isEqualTo(100_000);
    // From Peer2, or from Peer3 once it holds the same version at a lower address (ties).
    assertThat(fetched.getString("source"))
        .isIn(
            "127.0.0.1:" + swarm.peer("Peer2").verticle().advertisedPort(),
            "127.0.0.1:" + swarm.peer("Peer3").verticle().advertisedPort());
    String peerMetrics = text(peerHttp, "/metrics");
    assertThat(value(peerMetrics, "p2psync_peer_downloads_completed_total")).isEqualTo(1);
    assertThat(value(peerMetrics, "p2psync_peer_bytes_received_bytes_total")).isEqualTo(100_000);
    // a.txt and b.txt (3 bytes) went to the others from Peer1, or to one of them, which served
    // the last (ties go to the lowest address). For the same reason Peer3 may have fetched c.txt
    // from Peer1 once Peer1 held it (100,000 bytes more).
    double sent = value(peerMetrics, "p2psync_peer_bytes_sent_bytes_total");
    assertThat(sent >= 100_000 ? sent - 100_000 : sent)
        .as("bytes sent: %s", sent)
        .isBetween(3.0, 6.0);
    // Peers without httpPort have no endpoint.
    assertThat(swarm.peer("Peer2").verticle().httpPort()).isEqualTo(-1);

    // A new file moves the series: the directory grows, the line is built again.
    Files.write(swarm.peer("Peer3").folder().resolve("d.txt"), bytes("D"));
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(() -> text(trackerHttp, "/metrics").contains("p2psync_tracker_directory_names 4.0"));
    assertThat(value(text(trackerHttp, "/metrics"), "p2psync_tracker_directory_encodes_total"))
        .isGreaterThan(encodes);
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () -> value(text(peerHttp, "/metrics"), "p2psync_peer_downloads_completed_total") == 2);

    assertThat(await(http.get(trackerHttp, "127.0.0.1", "/nothing").send()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void anHttpPortTakenFailsTheStartWithTheReasonAndTheTrackerPortIsFreedAgain() {
    await(swarm.startTracker(0));
    int taken = swarm.tracker().httpPort();
    TrackerOptions options =
        new TrackerOptions()
            .setHost("127.0.0.1")
            .setPort(0)
            .setHttp(new HttpOptions().setPort(taken));
    assertThatThrownBy(() -> await(vertx.deployVerticle(new TrackerVerticle(options))))
        // Vert.x 5 refuses the bind; LocalPorts catches a socket Vert.x would share instead.
        .hasStackTraceContaining("cannot open the HTTP endpoint")
        .hasStackTraceContaining(String.valueOf(taken));
    // The first one still answers.
    assertThat(json(taken, "/api/status").getString("role")).isEqualTo("tracker");
  }

  @Test
  void aV2PeerShowsItsTombstonesTrashAndConflictCopies() throws Exception {
    long t0 = System.currentTimeMillis() / 1000 - 3_600;
    await(swarm.startTracker(0));
    Swarm.Peer a = swarm.addPeer("v2a", Map.of("doc.txt", bytes("v0"), "gone.txt", bytes("bye!")));
    a.options().setProtocol(2).getHttp().setPort(0);
    Swarm.Peer b = swarm.addPeer("v2b", Map.of());
    b.options().setProtocol(2);
    TestSupport.setMtime(a.folder().resolve("doc.txt"), t0);
    TestSupport.setMtime(a.folder().resolve("gone.txt"), t0);
    await(swarm.startAll());
    // both hold both files, hashed: b's first fetch of a file a had not hashed yet is followed by
    // a verified one, which would undo a deletion made in between
    await()
        .atMost(TestSupport.TIMEOUT)
        .until(
            () -> {
              JsonObject line =
                  new JsonObject(TestSupport.ask(swarm.trackerPort(), "{\"port\": 1, \"v\": 2}"));
              return Stream.of("gone.txt", "doc.txt")
                  .allMatch(
                      n ->
                          line.containsKey(n)
                              && line.getJsonObject(n)
                                      .getJsonArray("sources", new JsonArray())
                                      .size()
                                  == 2);
            });
    int peerHttp = a.verticle().httpPort();
    JsonObject fresh = json(peerHttp, "/api/status").getJsonObject("sync");
    assertThat(fresh.getInteger("tombstones")).isZero();
    assertThat(fresh.getJsonObject("trash").getInteger("files")).isZero();
    assertThat(fresh.getJsonObject("conflictCopies").getLong("made")).isZero();

    // b deletes a file: a applies the tombstone (into its trash) and holds it too
    Files.delete(b.folder().resolve("gone.txt"));
    // a and b edit doc.txt in the same second: the edit that is second in the order (the smaller
    // SHA-256) becomes its author's conflict copy; these contents make that a's
    assertThat(sha("from a")).isLessThan(sha("from b"));
    TestSupport.writeAt(a.folder().resolve("doc.txt"), "from a", t0 + 10);
    TestSupport.writeAt(b.folder().resolve("doc.txt"), "from b", t0 + 10);

    await()
        .atMost(TestSupport.TIMEOUT)
        .untilAsserted(
            () -> {
              JsonObject sync = json(peerHttp, "/api/status").getJsonObject("sync");
              assertThat(sync.getInteger("tombstones")).as(sync.encode()).isEqualTo(1);
              JsonObject conflicts = sync.getJsonObject("conflictCopies");
              assertThat(conflicts.getLong("made")).isEqualTo(1);
              assertThat(conflicts.getJsonArray("recent").getString(0))
                  .startsWith("doc.sync-conflict-");
              JsonObject trash = sync.getJsonObject("trash");
              assertThat(trash.getInteger("files")).isEqualTo(1);
              assertThat(trash.getLong("bytes")).isEqualTo(4);
              JsonObject entry = trash.getJsonArray("entries").getJsonObject(0);
              assertThat(entry.getString("name")).isEqualTo("gone.txt");
              assertThat(entry.getLong("size")).isEqualTo(4);
              assertThat(entry.getLong("trashedAt"))
                  .isBetween(t0 * 1000, System.currentTimeMillis());
            });
    assertThat(a.folder().resolve("doc.txt")).hasContent("from b");
  }

  private static String sha(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private JsonObject json(int port, String path) {
    HttpResponse<Buffer> response = await(http.get(port, "127.0.0.1", path).send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    return response.bodyAsJsonObject();
  }

  private String text(int port, String path) {
    HttpResponse<Buffer> response = await(http.get(port, "127.0.0.1", path).send());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsString();
  }

  /** The value of an unlabelled series in Prometheus text. */
  private static double value(String metrics, String series) {
    List<String> lines = metrics.lines().filter(l -> l.startsWith(series + " ")).toList();
    assertThat(lines).as(series).hasSize(1);
    return Double.parseDouble(lines.get(0).substring(series.length() + 1));
  }
}
