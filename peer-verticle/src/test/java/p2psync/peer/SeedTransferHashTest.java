package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A v2 peer fetching the seed way (from a seed source, or a holder that has not hashed yet) hashes
 * the bytes as they arrive, as a v2 transfer: it never reads the file again to learn its hash.
 */
@ExtendWith(VertxExtension.class)
class SeedTransferHashTest {
  static final long MTIME = 1_700_000_000L;

  @TempDir Path folder;

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSeedWayDownloadIsHashedAsItStreams(Vertx vertx) throws Exception {
    FakeTrackerAndSource fake = new FakeTrackerAndSource();
    get(fake.start(vertx));
    fake.directory.set(
        "{\"f.txt\": {\"ip\": \"127.0.0.1\", \"port\": %SOURCE%, \"mtime\": " + MTIME + "}}");
    fake.response.set("Content-Length: 5\nhello");
    PeerVerticle peer =
        new PeerVerticle(TestPeers.options(folder, fake.trackerPort, 2, TestPeers.fastSync()));
    get(vertx.deployVerticle(peer));

    Path file = folder.resolve("f.txt");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.exists(file)
                    && Files.readString(file, StandardCharsets.UTF_8).equals("hello"));
    // the hash cache (written at most once a keepalive) knows the content that arrived
    String sha = PlayedDeltaTracker.sha256("hello");
    Path cache = folder.resolve(".p2psync-state").resolve("hashes");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(cache) && Files.readString(cache).contains(sha + " 5 "));
    // many keepalives (each a scan of the folder) later, still nothing read from the disk
    int seen = fake.messages.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> fake.messages.size() >= seen + 5);
    assertThat(peer.filesHashedFromDisk()).isZero();
  }
}
