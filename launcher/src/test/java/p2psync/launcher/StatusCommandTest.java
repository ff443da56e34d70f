package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.SyncConfig;
import p2psync.simulation.Swarm;

class StatusCommandTest extends ConsoleCapture {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final Vertx vertx = Vertx.vertx();

  @TempDir Path root;

  @AfterEach
  void close() {
    join(vertx.close());
  }

  @Test
  void printsATrackersPeersAndNamesAndAPeersFilesAndTransfers() {
    Swarm swarm =
        // a long expiry: a loaded machine that delays a 200 ms keepalive past 600 ms would show
        // the peer reconnecting rather than "(connected)"
        new Swarm(
                vertx,
                root,
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofMillis(200))
                    .setTrackerExpiry(Duration.ofSeconds(10)))
            .setTrackerHttpPort(0);
    join(swarm.startTracker(0));
    Swarm.Peer one = swarm.addPeer("Peer1", Map.of("report.pdf", bytes("pdf")));
    swarm.addPeer("Peer2", Map.of("notes.txt", bytes("notes")));
    one.options().getHttp().setPort(0);
    join(swarm.startAll());
    await().atMost(TIMEOUT).until(swarm::isConverged);
    // identical folders come first; the tracker learns it from each peer's next message
    int trackerHttp = swarm.tracker().httpPort();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                new JsonObject(get("http://127.0.0.1:" + trackerHttp + "/api/status"))
                        .getJsonObject("totals")
                        .getInteger("convergedPeers")
                    == 2);
    String peer1 = "127.0.0.1:" + one.verticle().advertisedPort();

    assertThat(Main.execute("status", "127.0.0.1:" + swarm.tracker().httpPort())).isZero();
    assertThat(output())
        .contains("tracker: 2 peers")
        .containsPattern("PEER +KIND +CONNECTED +LAST MESSAGE +NAMES +LACKING")
        .containsPattern(peer1.replace(".", "\\.") + " +seed +\\d+ s ago")
        .containsPattern("notes\\.txt +127\\.0\\.0\\.1:\\d+ +\\d+ +2");

    assertThat(Main.execute("status", "127.0.0.1:" + one.verticle().httpPort())).isZero();
    assertThat(output())
        .contains("peer: " + one.folder())
        .contains("(connected)")
        .containsPattern("notes\\.txt +127\\.0\\.0\\.1:\\d+ +5 +\\d+ KiB/s +done");
  }

  @Test
  void aBadAddressExits2AndNoEndpointExits1() {
    assertThat(Main.execute("status", "nowhere")).isEqualTo(2);
    assertThat(Main.execute("status", "127.0.0.1:notaport")).isEqualTo(2);
    // Port 1 on loopback: nothing listens there.
    assertThat(Main.execute("status", "127.0.0.1:1")).isEqualTo(1);
    assertThat(output()).contains("p2psync: cannot read http://127.0.0.1:1/api/status");
  }

  private static String get(String uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T join(Future<T> future) {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .orTimeout(20, java.util.concurrent.TimeUnit.SECONDS)
        .join();
  }
}
