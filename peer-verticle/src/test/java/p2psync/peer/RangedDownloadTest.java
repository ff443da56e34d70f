package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Codec;

/**
 * Large v2 files in ranges from several holders at once (docs/protocol-v2.md, Ranges): the server's
 * answers and refusals, and a puller that converges to the verified file whatever its holders do,
 * never showing a partial file under the real name.
 */
@ExtendWith(VertxExtension.class)
class RangedDownloadTest {
  static final long MTIME = 1_700_000_000L;

  /** Not a multiple of the range size: the last range is short. */
  static final int SIZE = 2 * 1024 * 1024 + 12_345;

  static final int RANGE = 256 * 1024;

  @TempDir Path root;
  Vertx vertx;
  byte[] content;
  String sha;
  final FakeTrackerAndSource fake = new FakeTrackerAndSource();
  final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    content = new byte[SIZE];
    new Random(11).nextBytes(content);
    sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    get(fake.start(vertx));
  }

  @AfterEach
  void stopWatching() {
    watcher.shutdownNow();
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  PeerVerticle startPeer(Path folder) throws Exception {
    PeerVerticle peer =
        new PeerVerticle(
            TestPeers.options(
                folder,
                fake.trackerPort,
                2,
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofMillis(100))
                    .setTransferIdleTimeout(Duration.ofMillis(500))
                    .setRangedMinBytes(1024 * 1024)
                    .setRangeBytes(RANGE)
                    .setMaxRangeConnections(3)));
    get(vertx.deployVerticle(peer));
    return peer;
  }

  /** A folder holding the file, hashed by a v2 peer serving it. */
  PeerVerticle holderPeer(String folderName) throws Exception {
    Path folder = Files.createDirectories(root.resolve(folderName));
    Files.write(folder.resolve("f.bin"), content);
    Files.setLastModifiedTime(folder.resolve("f.bin"), FileTime.from(MTIME, TimeUnit.SECONDS));
    PeerVerticle peer = startPeer(folder);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ask(peer.actualPort(), range(0, 1)).length > 0);
    return peer;
  }

  /**
   * A scripted v2 holder: answers each request (range or tail) from {@code content}; the first
   * answer stops after {@code cutFirst} body bytes and closes (-1: never); {@code corrupt} flips
   * one byte of every answer. Records every request.
   */
  record Holder(int port, List<V2Codec.Request> requests) {
    long rangedBytesAsked() {
      return requests.stream().filter(V2Codec.Request::ranged).mapToLong(r -> r.length()).sum();
    }
  }

  Holder scripted(int cutFirst, boolean corrupt) throws Exception {
    return scripted(cutFirst, corrupt, false);
  }

  /** As above; {@code stall}: every answer stops after {@code cutFirst} bytes and hangs there. */
  Holder scripted(int cutFirst, boolean corrupt, boolean stall) throws Exception {
    List<V2Codec.Request> requests = new CopyOnWriteArrayList<>();
    AtomicBoolean cut = new AtomicBoolean(cutFirst >= 0);
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            line -> {
                              V2Codec.Request request;
                              try {
                                request = V2Codec.decodeRequest(line);
                              } catch (Exception e) {
                                socket.close();
                                return;
                              }
                              requests.add(request);
                              int from = (int) request.offset();
                              int length = request.ranged() ? (int) request.length() : SIZE - from;
                              byte[] body = Arrays.copyOfRange(content, from, from + length);
                              if (corrupt && length > 0) {
                                body[length / 2] ^= 1;
                              }
                              Buffer answer = Buffer.buffer("Content-Length: " + length + "\n");
                              if (stall) {
                                socket.write(answer.appendBytes(body, 0, cutFirst));
                              } else if (cut.getAndSet(false)) {
                                socket.write(answer.appendBytes(body, 0, cutFirst));
                                socket.close(); // gone mid-range
                              } else {
                                socket.end(answer.appendBytes(body));
                              }
                            }));
    return new Holder(get(server.listen(0, "127.0.0.1")).actualPort(), requests);
  }

  void offer(int... ports) {
    fake.directory.set(V2TransferTest.v2Line(MTIME, SIZE, sha, ports));
  }

  /**
   * Samples the real name every millisecond until it holds the whole, right file: anything else
   * seen there (a partial or wrong file) is kept, for the test to fail on.
   */
  AtomicReference<String> watchRealName(Path file) {
    AtomicReference<String> seen = new AtomicReference<>();
    AtomicBoolean whole = new AtomicBoolean();
    watcher.scheduleWithFixedDelay(
        () -> {
          if (whole.get()) {
            return;
          }
          try {
            byte[] now = Files.readAllBytes(file);
            if (Arrays.equals(now, content)) {
              whole.set(true);
            } else {
              seen.compareAndSet(null, now.length + " bytes, not the file");
            }
          } catch (NoSuchFileException e) {
            // not there yet: fine
          } catch (Exception e) {
            seen.compareAndSet(null, e.toString());
          }
        },
        0,
        1,
        TimeUnit.MILLISECONDS);
    return seen;
  }

  /** Pulls the file with a fresh peer; returns it once the file is complete under its name. */
  PeerVerticle pull(Path folder) throws Exception {
    AtomicReference<String> seen = watchRealName(folder.resolve("f.bin"));
    PeerVerticle puller = startPeer(folder);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(folder.resolve("f.bin")));
    assertThat(Files.readAllBytes(folder.resolve("f.bin"))).isEqualTo(content);
    assertThat(Files.getLastModifiedTime(folder.resolve("f.bin")).to(TimeUnit.SECONDS))
        .isEqualTo(MTIME);
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles(folder) == 0);
    assertThat(seen.get()).as("seen under the real name before the end").isNull();
    return puller;
  }

  @Test
  void threePeersServeRangesOfOneFileThatArrivesVerified() throws Exception {
    PeerVerticle a = holderPeer("a");
    PeerVerticle b = holderPeer("b");
    PeerVerticle c = holderPeer("c");
    offer(a.actualPort(), b.actualPort(), c.actualPort());
    PeerVerticle puller = pull(Files.createDirectories(root.resolve("puller")));
    assertThat(puller.transfers().failed()).isZero();
    // the hash comes from the verification: the file is advertised without a second read
    Path hashes = root.resolve("puller").resolve(FileNames.STATE_DIR).resolve("hashes");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.exists(hashes) && Files.readString(hashes).contains(sha + " " + SIZE));
  }

  @Test
  void rangesAreSpreadOverEveryHolderAndEachByteIsAskedForOnce() throws Exception {
    Holder a = scripted(-1, false);
    Holder b = scripted(-1, false);
    Holder c = scripted(-1, false);
    offer(a.port(), b.port(), c.port());
    PeerVerticle puller = pull(Files.createDirectories(root.resolve("puller")));
    assertThat(puller.transfers().failed()).isZero();
    for (Holder holder : List.of(a, b, c)) {
      assertThat(holder.requests()).isNotEmpty().allMatch(V2Codec.Request::ranged);
    }
    assertThat(a.rangedBytesAsked() + b.rangedBytesAsked() + c.rangedBytesAsked()).isEqualTo(SIZE);
  }

  @Test
  void aHolderVanishingMidRangeHandsTheRestOfItsRangeToAnotherKeepingItsBytes() throws Exception {
    int cut = RANGE / 3;
    Holder vanishing = scripted(cut, false);
    Holder b = scripted(-1, false);
    Holder c = scripted(-1, false);
    offer(vanishing.port(), b.port(), c.port());
    PeerVerticle puller = pull(Files.createDirectories(root.resolve("puller")));
    assertThat(puller.transfers().failed()).as("one download, in ranges, succeeded").isZero();

    // its one range: the bytes it sent were kept, only the rest was asked of another holder
    assertThat(vanishing.requests()).hasSize(1);
    V2Codec.Request first = vanishing.requests().get(0);
    List<V2Codec.Request> others =
        Stream.concat(b.requests().stream(), c.requests().stream()).toList();
    assertThat(others)
        .contains(new V2Codec.Request("f.bin", sha, first.offset() + cut, RANGE - cut, false));
    assertThat(b.rangedBytesAsked() + c.rangedBytesAsked()).isEqualTo(SIZE - cut);
  }

  @Test
  void aHolderSendingWrongBytesCostsTheRangedAttemptAndTheFileComesHonestly() throws Exception {
    Holder liar = scripted(-1, true); // right lengths, one wrong byte in each of its ranges
    Holder b = scripted(-1, false);
    Holder c = scripted(-1, false);
    offer(liar.port(), b.port(), c.port());
    PeerVerticle puller = pull(Files.createDirectories(root.resolve("puller")));

    // the ranged attempt failed verification, blaming nobody; then one holder at a time
    assertThat(puller.transfers().failed()).isGreaterThanOrEqualTo(1);
    assertThat(liar.requests()).anyMatch(V2Codec.Request::ranged);
    List<V2Codec.Request> whole =
        Stream.of(liar, b, c).flatMap(h -> h.requests().stream()).filter(r -> !r.ranged()).toList();
    assertThat(whole).isNotEmpty().allMatch(r -> r.offset() == 0);
    // a liar asked for the whole file is caught there, and never asked again
    long liarWhole = liar.requests().stream().filter(r -> !r.ranged()).count();
    assertThat(liarWhole).isLessThanOrEqualTo(1);
  }

  @Test
  void aPeerStoppingMidRangesLeavesNoPartialFileInTheFolder() throws Exception {
    List<Holder> stalling =
        List.of(scripted(RANGE / 2, false, true), scripted(RANGE / 2, false, true));
    offer(stalling.get(0).port(), stalling.get(1).port());
    Path folder = Files.createDirectories(root.resolve("puller"));
    PeerVerticle puller = startPeer(folder);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stalling.stream().allMatch(h -> !h.requests().isEmpty()));
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles(folder) == 1);

    get(vertx.undeploy(puller.deploymentID()));
    assertThat(tempFiles(folder)).as("the temp file of the ranges").isZero();
    assertThat(folder.resolve("f.bin")).doesNotExist();
    try (Stream<Path> kept = Files.list(folder.resolve(FileNames.STATE_DIR))) {
      assertThat(kept.map(p -> p.getFileName().toString())).doesNotContain("partials");
    }
  }

  // ---- the server ---------------------------------------------------------------------------

  static byte[] range(long offset, long length) {
    return V2Codec.encodeRequest(new V2Codec.Request("f.bin", "%SHA%", offset, length, false))
        .getBytes();
  }

  byte[] withSha(byte[] request) {
    return new String(request, StandardCharsets.UTF_8)
        .replace("%SHA%", sha)
        .getBytes(StandardCharsets.UTF_8);
  }

  byte[] ask(int port, byte[] request) throws Exception {
    return FileServerTest.exchange(port, withSha(request));
  }

  static Stream<Arguments> ranges() {
    return Stream.of(
        Arguments.of("the first bytes", 0L, 10L),
        Arguments.of("a middle", 1000L, 70_000L),
        Arguments.of("the last bytes", SIZE - 10L, 10L),
        Arguments.of("the whole file", 0L, (long) SIZE),
        Arguments.of("nothing, inside", 500L, 0L),
        Arguments.of("nothing, at the end", (long) SIZE, 0L));
  }

  static Stream<Arguments> badRanges() {
    String line = "\u0001{\"name\": \"f.bin\", \"sha256\": \"%SHA%\", \"offset\": ";
    return Stream.of(
        Arguments.of("one byte too long", range(SIZE - 10, 11)),
        Arguments.of("longer than the file", range(0, SIZE + 1L)),
        Arguments.of("offset + length overflows", range(10, Long.MAX_VALUE)),
        Arguments.of("starts past the end", range(SIZE + 1L, 0)),
        Arguments.of("negative offset", range(-1, 5)),
        Arguments.of("negative length", (line + "0, \"length\": -1}\n").getBytes()),
        Arguments.of("length not a number", (line + "0, \"length\": \"5\"}\n").getBytes()),
        Arguments.of(
            "another version",
            V2Codec.encodeRequest(new V2Codec.Request("f.bin", "0".repeat(64), 0, 5, false))
                .getBytes()));
  }

  PeerVerticle server;

  PeerVerticle server() throws Exception {
    if (server == null) {
      server = holderPeer("server");
    }
    return server;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ranges")
  void aRangeIsAnsweredWithExactlyItsBytes(String what, long offset, long length) throws Exception {
    byte[] answer = ask(server().actualPort(), range(offset, length));
    assertThat(answer)
        .isEqualTo(
            Buffer.buffer("Content-Length: " + length + "\n")
                .appendBytes(Arrays.copyOfRange(content, (int) offset, (int) (offset + length)))
                .getBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRanges")
  void aBadRangeGetsNoBytes(String what, byte[] request) throws Exception {
    assertThat(ask(server().actualPort(), request)).isEmpty();
    // and the server keeps serving
    assertThat(ask(server().actualPort(), range(0, 3)).length).isGreaterThan(3);
  }

  @Test
  void rangesArePipelinedLikeOtherRequests() throws Exception {
    byte[] two =
        Buffer.buffer()
            .appendBytes(
                V2Codec.encodeRequest(new V2Codec.Request("f.bin", "%SHA%", 5, 3, true)).getBytes())
            .appendBytes(range(SIZE - 2, 2))
            .getBytes();
    assertThat(ask(server().actualPort(), two))
        .isEqualTo(
            Buffer.buffer("Content-Length: 3\n")
                .appendBytes(Arrays.copyOfRange(content, 5, 8))
                .appendString("Content-Length: 2\n")
                .appendBytes(Arrays.copyOfRange(content, SIZE - 2, SIZE))
                .getBytes());
  }

  private static long tempFiles(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> FileNames.isTempName(p.getFileName().toString())).count();
    }
  }
}
