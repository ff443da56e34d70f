package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2psync.common.FileEntry;
import p2psync.common.SyncConfig;

/** The tracker's side of v2: negotiation, the v2 line, and seed lines left as they were. */
@ExtendWith(VertxExtension.class)
class V2TrackerTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final String LOW = "0".repeat(64);

  TrackerVerticle tracker;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    tracker =
        new TrackerVerticle(
            new TrackerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSync(
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofSeconds(5))
                        .setV2LineInterval(Duration.ZERO))); // every reply up to date
    vertx
        .deployVerticle(tracker)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static String v2File(String name, long mtime, long size, String sha) {
    return "{\"name\": \""
        + name
        + "\", \"mtime\": "
        + mtime
        + ", \"size\": "
        + size
        + ", \"sha256\": \""
        + sha
        + "\"}";
  }

  static String src(int port) {
    return "{\"ip\": \"127.0.0.1\", \"port\": " + port + "}";
  }

  @Test
  void aV2PeerChangesItsListWithoutSendingItWholeASeedPeerCannot() throws Exception {
    try (SeedClient seed = new SeedClient(tracker.actualPort());
        SeedClient v2 = new SeedClient(tracker.actualPort())) {
      v2.ask(
          "{\"port\": 8001, \"v\": 2, \"files\": ["
              + v2File("f", 10, 5, A)
              + ", {\"name\": \"g\", \"mtime\": 20}]}");
      // f edited, g gone, h new: the rest of the list (here none) stays as it was
      v2.ask(
          "{\"port\": 8001, \"v\": 2, \"changed\": ["
              + v2File("f", 11, 6, B)
              + ", {\"name\": \"h\", \"mtime\": 30}], \"removed\": [\"g\"]}");
      // a seed message's "changed" and "removed" are unknown keys, ignored as the course's
      // tracker ignores them: its list stays
      seed.ask("{\"port\": 8000, \"files\": [{\"name\": \"s\", \"mtime\": 1}]}");
      seed.ask(
          "{\"port\": 8000, \"changed\": [{\"name\": \"x\", \"mtime\": 1}], \"removed\":"
              + " [\"s\"]}");
      assertThat(seed.ask("{\"port\": 8000}"))
          .isEqualTo(
              "{\"f\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 11},"
                  + " \"h\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 30},"
                  + " \"s\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1}}");
      assertThat(v2.ask("{\"port\": 8001, \"v\": 2}")).contains("\"size\": 6").contains(B);
      // a malformed change is a protocol error: the connection is closed, the others keep serving
      v2.send("{\"port\": 8001, \"v\": 2, \"removed\": [7]}\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> tracker.peerCount() == 1);
      assertThat(seed.ask("{\"port\": 8000}"))
          .isEqualTo("{\"s\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 1}}");
    }
  }

  @Test
  void v2ConnectionsGetEveryHolderOfTheWinningVersionSeedConnectionsTheSeedLine() throws Exception {
    try (SeedClient seed0 = new SeedClient(tracker.actualPort());
        SeedClient v1 = new SeedClient(tracker.actualPort());
        SeedClient v2 = new SeedClient(tracker.actualPort());
        SeedClient v3 = new SeedClient(tracker.actualPort());
        SeedClient liar = new SeedClient(tracker.actualPort())) {
      seed0.ask("{\"port\": 8000, \"files\": [{\"name\": \"g\", \"mtime\": 20}]}");
      v1.ask(
          "{\"port\": 8001, \"v\": 2, \"files\": ["
              + v2File("f", 10, 5, A)
              + ", "
              + v2File("g", 20, 7, B)
              + "]}");
      v2.ask("{\"port\": 8002, \"v\": 2, \"files\": [" + v2File("f", 10, 5, A) + "]}");
      // same mtime, a lower hash (versions are ordered by mtime, then hash): not the winning
      // version, so not a source
      v3.ask("{\"port\": 8003, \"v\": 2, \"files\": [" + v2File("f", 10, 5, LOW) + "]}");
      // hashes in a message without "v": 2 are read as a seed tracker reads them: not at all
      liar.ask("{\"port\": 8004, \"files\": [" + v2File("f", 10, 5, A) + "]}");

      String seedLine =
          "{\"f\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 10},"
              + " \"g\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 20}}";
      assertThat(seed0.ask("{\"port\": 8000}")).isEqualTo(seedLine);
      assertThat(liar.ask("{\"port\": 8004}")).isEqualTo(seedLine);
      // g's seed winner (lowest address among mtime 20) is a seed peer; the v2 line names the
      // lowest hashed holder of that mtime instead, so v2 peers can verify
      // every v2 line opens with the mark that tells a peer it may send v2 fields
      String v2Line =
          "{\"\": {\"v\": 2}, \"f\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 10, \"size\": 5,"
              + " \"sha256\": \""
              + A
              + "\", \"sources\": ["
              + src(8001)
              + ", "
              + src(8002)
              + "]}, \"g\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 20, \"size\": 7,"
              + " \"sha256\": \""
              + B
              + "\", \"sources\": ["
              + src(8001)
              + "]}}";
      assertThat(v1.ask("{\"port\": 8001, \"v\": 2}")).isEqualTo(v2Line);
      // once v2, always v2, even for a bare seed KeepAlive
      assertThat(v3.ask("{\"port\": 8003}")).isEqualTo(v2Line);
      assertThat(tracker.directoryLine()).isEqualTo(seedLine);

      v1.close();
      // g: only the seed peer holds it now, so its v2 member is the seed one
      String after =
          "{\"\": {\"v\": 2}, \"f\": {\"ip\": \"127.0.0.1\", \"port\": 8002, \"mtime\": 10, \"size\": 5,"
              + " \"sha256\": \""
              + A
              + "\", \"sources\": ["
              + src(8002)
              + "]}, \"g\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 20}}";
      await().atMost(Duration.ofSeconds(5)).until(() -> tracker.peerCount() == 4);
      assertThat(v2.ask("{\"port\": 8002, \"v\": 2}")).isEqualTo(after);
      assertThat(seed0.ask("{\"port\": 8000}"))
          .isEqualTo(
              "{\"f\": {\"ip\": \"127.0.0.1\", \"port\": 8002, \"mtime\": 10},"
                  + " \"g\": {\"ip\": \"127.0.0.1\", \"port\": 8000, \"mtime\": 20}}");
    }
  }

  @Test
  void aRecordKeepsItsHashesAndAChangedHashRebuildsTheV2MemberOnly() {
    Directory directory = new Directory();
    directory.register(1, "10.0.0.1", 8000);
    directory.register(2, "10.0.0.2", 8000);
    directory.replaceFiles(1, List.of(new FileEntry("f", 10, 5, A), new FileEntry("s", 3)));
    directory.replaceFiles(2, List.of(new FileEntry("f", 10, 5, A)));
    assertThat(directory.record(1).files())
        .containsExactlyInAnyOrder(new FileEntry("f", 10, 5, A), new FileEntry("s", 3));
    String seed = line(directory.wireLine());
    assertThat(line(directory.wireLineV2())).contains(src2("10.0.0.2"));
    long version = directory.version();
    directory.replaceFiles(2, List.of(new FileEntry("f", 10, 6, LOW)));
    assertThat(directory.version()).isEqualTo(version); // the seed line did not change
    assertThat(line(directory.wireLine())).isEqualTo(seed);
    assertThat(line(directory.wireLineV2())).doesNotContain(src2("10.0.0.2"));
    // a moved peer keeps its hashes
    directory.register(1, "10.0.0.9", 8000);
    assertThat(directory.record(1).files()).contains(new FileEntry("f", 10, 5, A));
    directory.close();
  }

  @Test
  void beyondMaxSourcesAStableSubsetIsListed() {
    String[] lines = new String[2];
    for (int round = 0; round < 2; round++) {
      Directory directory = new Directory();
      directory.setMaxSources(3);
      for (int i = 0; i < 10; i++) {
        int peer = round == 0 ? i : 9 - i; // another arrival order, the same subset
        directory.register(peer, "10.0.0." + peer, 8000);
        directory.replaceFiles(peer, List.of(new FileEntry("f", 10, 5, A)));
      }
      lines[round] = line(directory.wireLineV2());
      directory.close();
    }
    assertThat(lines[0]).isEqualTo(lines[1]);
    assertThat(lines[0].split("\\{\"ip\"", -1)).hasSize(1 + 1 + 3); // the winner, 3 sources
  }

  @Test
  void theSubsetOfSourcesIsTheOneEveryTrackerOfTheClusterPicks() {
    // Pinned: trackers of one cluster (and of one release and the next) must list the same
    // subset, so the pick (lowest rank for the name, then address) never changes unnoticed.
    Directory directory = new Directory();
    directory.setMaxSources(4);
    for (int i = 0; i < 40; i++) {
      directory.register(i, "10.0." + (i % 3) + "." + i, 8000 + i % 2);
      directory.replaceFiles(
          i, List.of(new FileEntry("f", 10, 5, A), new FileEntry("g", 10, 5, A)));
    }
    assertThat(line(directory.wireLineV2()))
        .isEqualTo(
            "{\"\": {\"v\": 2}, \"f\": {\"ip\": \"10.0.0.0\", \"port\": 8000, \"mtime\": 10, \"size\": 5, \"sha256\": \""
                + A
                + "\", \"sources\": [{\"ip\": \"10.0.0.12\", \"port\": 8000}, {\"ip\": \"10.0.0.18\", \"port\": 8000}, {\"ip\": \"10.0.1.37\", \"port\": 8001}, {\"ip\": \"10.0.2.11\", \"port\": 8001}]}, \"g\": {\"ip\": \"10.0.0.0\", \"port\": 8000, \"mtime\": 10, \"size\": 5, \"sha256\": \""
                + A
                + "\", \"sources\": [{\"ip\": \"10.0.0.12\", \"port\": 8000}, {\"ip\": \"10.0.0.30\", \"port\": 8000}, {\"ip\": \"10.0.0.39\", \"port\": 8001}, {\"ip\": \"10.0.2.23\", \"port\": 8001}]}}\n");
    directory.close();
  }

  @Test
  void aChangedV2LineIsRebuiltAtMostOncePerInterval() {
    Directory directory = new Directory();
    directory.setV2LineInterval(Duration.ofMillis(100));
    directory.register(1, "10.0.0.1", 8000);
    directory.replaceFiles(1, List.of(new FileEntry("f", 10, 5, A)));
    long t0 = 1_000_000_000L;
    String first = line(directory.wireLineV2(t0));
    directory.register(2, "10.0.0.2", 8000);
    directory.replaceFiles(2, List.of(new FileEntry("f", 10, 5, A)));
    assertThat(line(directory.wireLineV2(t0 + 50_000_000L))).isEqualTo(first); // not yet
    String later = line(directory.wireLineV2(t0 + 100_000_000L));
    assertThat(later).contains(src2("10.0.0.2"));
    assertThat(line(directory.wireLineV2(t0 + 100_000_001L))).isEqualTo(later); // unchanged
    directory.close();
  }

  private static String src2(String ip) {
    return "{\"ip\": \"" + ip + "\", \"port\": 8000}";
  }

  private static String line(io.netty.buffer.ByteBuf buf) {
    return buf.toString(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
