package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.peer.FakeTrackerAndSource.entry;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.SyncConfig;

/**
 * A peer lied to by its tracker or by the source it downloads from: whatever the lie, nothing is
 * written outside the folder, no file appears under a real name unless it arrived whole, no temp
 * file stays, and once the source answers properly the next directory fetches it.
 */
@ExtendWith(VertxExtension.class)
class DownloadFailureTest {
  private static final long MTIME = 1_700_000_000L;

  @TempDir Path root;
  Path folder;
  Vertx vertx;
  final FakeTrackerAndSource fake = new FakeTrackerAndSource();
  PeerVerticle peer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    folder = Files.createDirectories(root.resolve("folder"));
    get(fake.start(vertx));
    fake.directory.set("{" + entry("wanted.bin", MTIME) + "}");
  }

  private void startPeer() throws Exception {
    startPeer(Duration.ofMillis(500));
  }

  private void startPeer(Duration transferIdleTimeout) throws Exception {
    peer =
        new PeerVerticle(
            new PeerOptions()
                .setDir(folder)
                .setHost("127.0.0.1")
                .setPort(0)
                .setTrackerPort(fake.trackerPort)
                .setSync(
                    new SyncConfig()
                        .setKeepAliveInterval(Duration.ofMillis(100))
                        .setTransferIdleTimeout(transferIdleTimeout)));
    get(vertx.deployVerticle(peer));
  }

  private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Content-Length: 10\nshort", // body shorter than announced
        "Content-Length: -1\n", // negative
        "Content-Length: ten\n0123456789", // not a number
        "Content-Length: 99999999999999999999\n", // does not fit a long
        "Content-Type: text/plain\n", // no Content-Length at all
        "Content-Length: 10", // header never finished
        "", // closed without a word
        "STALL" // accepts and never answers
      })
  void aLyingSourceLeavesNothingBehindAndTheNextDirectoryRetries(String lie) throws Exception {
    fake.response.set(lie.equals("STALL") ? null : lie);
    startPeer();

    await().atMost(Duration.ofSeconds(10)).until(() -> peer.transfers().failed() >= 2);
    assertThat(folder.resolve("wanted.bin")).doesNotExist();
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);

    fake.response.set("Content-Length: 5\nhello");
    awaitWanted();
  }

  @Test
  void aPeerStoppedMidTransferHasDeletedItsTempFileWhenTheStopCompletes() throws Exception {
    fake.response.set("Content-Length: 1000\nabc"); // then nothing: the transfer hangs mid-body
    fake.endAfterResponse.set(false);
    startPeer(Duration.ofMinutes(1)); // no timeout may end the transfer first
    await().atMost(Duration.ofSeconds(10)).until(() -> fake.requests.get() > 0 && tempFiles() == 1);

    get(vertx.undeploy(peer.deploymentID()));

    // No waiting here: the stop itself must have cleaned up.
    assertThat(tempFiles()).isZero();
    assertThat(folder.resolve("wanted.bin")).doesNotExist();
    assertThat(peer.transfers().failed()).isEqualTo(1);
  }

  @Test
  void unsafeNamesAndAbsurdMtimesInTheDirectoryAreNeverWritten() throws Exception {
    fake.response.set("Content-Length: 5\nhello");
    fake.directory.set(
        "{"
            + String.join(
                ", ",
                entry("../escaped.txt", MTIME),
                entry("/tmp/absolute-p2psync-test.txt", MTIME),
                entry("sub/nested.txt", MTIME),
                entry("back\\\\slash.txt", MTIME),
                entry("evil.py", MTIME),
                entry(".p2psync-deadbeef.part", MTIME),
                entry("far-future.txt", 99_999_999_999_999L),
                entry("before-time.txt", -99_999_999_999_999L),
                "\"no-port.txt\": {\"ip\": \"127.0.0.1\", \"mtime\": 1}",
                entry("wanted.bin", MTIME))
            + "}");
    startPeer();

    awaitWanted();
    try (Stream<Path> all = Files.walk(root)) {
      assertThat(
              all.filter(Files::isRegularFile)
                  .filter(p -> !p.startsWith(folder.resolve(p2psync.common.FileNames.STATE_DIR)))
                  .map(p -> root.relativize(p).toString()))
          .containsExactly("folder/wanted.bin");
    }
    assertThat(Path.of("/tmp/absolute-p2psync-test.txt")).doesNotExist();
  }

  @Test
  void aFolderOrLinkUnderATrackedNameIsLeftAlone() throws Exception {
    fake.response.set("Content-Length: 5\nhello");
    fake.directory.set(
        "{"
            + entry("adir", MTIME)
            + ", "
            + entry("alink", MTIME)
            + ", "
            + entry("wanted.bin", MTIME)
            + "}");
    Files.createDirectory(folder.resolve("adir"));
    Path outside = Files.writeString(root.resolve("outside.txt"), "keep me");
    Files.createSymbolicLink(folder.resolve("alink"), outside);
    startPeer();

    awaitWanted();
    assertThat(peer.transfers().completed()).isEqualTo(1);
    assertThat(peer.transfers().failed()).isZero(); // not even tried: the names are taken locally
    assertThat(folder.resolve("adir")).isDirectory();
    assertThat(Files.isSymbolicLink(folder.resolve("alink"))).isTrue();
    assertThat(outside).hasContent("keep me");
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);
  }

  @Test
  void anUnwritableFolderFailsCleanlyAndRecovers() throws Exception {
    fake.response.set("Content-Length: 5\nhello");
    Unwritable guard = Unwritable.make(folder);
    try {
      startPeer();
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.transfers().failed() >= 2);
      assertThat(folder.resolve("wanted.bin")).doesNotExist();
    } finally {
      guard.undo();
    }
    awaitWanted();
  }

  @Test
  void aFullDiskFailsCleanlyRemovesTheTempFileAndRecovers() throws Exception {
    SmallDisk disk = SmallDisk.mount(folder, "1m");
    try {
      String big = "x".repeat(2 * 1024 * 1024);
      fake.response.set("Content-Length: " + big.length() + "\n" + big);
      startPeer();
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.transfers().failed() >= 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);
      assertThat(folder.resolve("wanted.bin")).doesNotExist();

      fake.response.set("Content-Length: 5\nhello");
      awaitWanted();
    } finally {
      get(vertx.undeploy(peer.deploymentID()));
      disk.unmount();
    }
  }

  private void awaitWanted() throws IOException {
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(folder.resolve("wanted.bin")));
    assertThat(folder.resolve("wanted.bin")).hasContent("hello");
    assertThat(Files.getLastModifiedTime(folder.resolve("wanted.bin")).to(TimeUnit.SECONDS))
        .isEqualTo(MTIME);
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles() == 0);
  }

  private long tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(p -> p2psync.common.FileNames.isTempName(p.getFileName().toString()))
          .count();
    }
  }
}
