package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Codec;

/**
 * v2 transfers between a real v2 peer and scripted holders: wrong bytes never kept, the file taken
 * from an honest holder, hostile v2 requests refused, seed requests still served.
 */
@ExtendWith(VertxExtension.class)
class V2TransferTest {
  static final long MTIME = 1_700_000_000L;
  static final int SIZE = 300_000;

  @TempDir Path root;
  Vertx vertx;
  byte[] content;
  String sha;

  /** Its tracker answers every message with {@code fake.directory}; its source is not used. */
  final FakeTrackerAndSource fake = new FakeTrackerAndSource();

  AtomicReference<String> line;
  int trackerPort;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    content = new byte[SIZE];
    new Random(7).nextBytes(content);
    sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    get(fake.start(vertx));
    trackerPort = fake.trackerPort;
    line = fake.directory;
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  PeerVerticle startPeer(Path folder, int protocol) throws Exception {
    PeerVerticle peer =
        new PeerVerticle(
            TestPeers.options(
                folder,
                trackerPort,
                protocol,
                new SyncConfig()
                    .setKeepAliveInterval(Duration.ofMillis(100))
                    .setTransferIdleTimeout(Duration.ofMillis(500))));
    get(vertx.deployVerticle(peer));
    return peer;
  }

  /** A scripted holder: counts requests and answers each with {@code answer}. */
  record Holder(int port, AtomicInteger requests) {}

  Holder holder(Consumer<NetSocket> answer) throws Exception {
    return holder((socket, request) -> answer.accept(socket));
  }

  Holder holder(BiConsumer<NetSocket, Buffer> answer) throws Exception {
    AtomicInteger requests = new AtomicInteger();
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            request -> {
                              requests.incrementAndGet();
                              answer.accept(socket, request);
                            }));
    return new Holder(get(server.listen(0, "127.0.0.1")).actualPort(), requests);
  }

  String v2Line(int... ports) {
    return v2Line(MTIME, SIZE, sha, ports);
  }

  /** A v2 directory line naming {@code f.bin} with every holder on loopback at {@code ports}. */
  static String v2Line(long mtime, long size, String sha, int... ports) {
    StringBuilder sources = new StringBuilder();
    for (int port : ports) {
      sources.append(sources.length() == 0 ? "" : ", ");
      sources.append("{\"ip\": \"127.0.0.1\", \"port\": ").append(port).append('}');
    }
    return "{\"f.bin\": {\"ip\": \"127.0.0.1\", \"port\": "
        + ports[0]
        + ", \"mtime\": "
        + mtime
        + ", \"size\": "
        + size
        + ", \"sha256\": \""
        + sha
        + "\", \"sources\": ["
        + sources
        + "]}}";
  }

  @Test
  void wrongBytesAreNeverKeptAndTheFileComesFromAnHonestHolder() throws Exception {
    byte[] wrong = content.clone();
    wrong[SIZE / 2] ^= 1; // one flipped bit, right size
    Holder corrupt =
        holder(s -> s.end(Buffer.buffer("Content-Length: " + SIZE + "\n").appendBytes(wrong)));
    Holder lyingSize = holder(s -> s.end(Buffer.buffer("Content-Length: 5\nhello")));
    Holder vanishing =
        holder(
            s -> {
              s.write(
                  Buffer.buffer("Content-Length: " + SIZE + "\n")
                      .appendBytes(Arrays.copyOf(content, SIZE / 3)));
              s.close(); // gone mid-transfer
            });

    Path honestFolder = Files.createDirectories(root.resolve("honest"));
    Files.write(honestFolder.resolve("f.bin"), content);
    Files.setLastModifiedTime(
        honestFolder.resolve("f.bin"), FileTime.from(MTIME, TimeUnit.SECONDS));
    PeerVerticle honest = startPeer(honestFolder, 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.exists(honestFolder.resolve(FileNames.STATE_DIR).resolve("hashes"))
                    && Files.readString(honestFolder.resolve(FileNames.STATE_DIR).resolve("hashes"))
                        .contains(sha));

    // Only the liars at first: nothing may appear, and the bad ones are not asked again.
    line.set(v2Line(corrupt.port(), lyingSize.port(), vanishing.port()));
    Path folder = Files.createDirectories(root.resolve("puller"));
    PeerVerticle puller = startPeer(folder, 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                corrupt.requests().get() >= 1
                    && lyingSize.requests().get() >= 1
                    && vanishing.requests().get() >= 2);
    assertThat(folder.resolve("f.bin")).doesNotExist();
    assertThat(corrupt.requests().get()).isEqualTo(1);
    assertThat(lyingSize.requests().get()).isEqualTo(1);

    // An honest holder joins: the file comes from it, verified.
    line.set(v2Line(corrupt.port(), lyingSize.port(), vanishing.port(), honest.actualPort()));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(folder.resolve("f.bin")));
    assertThat(Files.readAllBytes(folder.resolve("f.bin"))).isEqualTo(content);
    assertThat(Files.getLastModifiedTime(folder.resolve("f.bin")).to(TimeUnit.SECONDS))
        .isEqualTo(MTIME);
    assertThat(corrupt.requests().get()).isEqualTo(1);
    assertThat(lyingSize.requests().get()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles(folder) == 0);
    // it knows the hash without reading the file again, and advertises it
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Files.exists(folder.resolve(FileNames.STATE_DIR).resolve("hashes"))
                    && Files.readString(folder.resolve(FileNames.STATE_DIR).resolve("hashes"))
                        .contains(sha + " " + SIZE));
    assertThat(puller.transfers().failed()).isGreaterThanOrEqualTo(4);
  }

  /**
   * A holder that speaks v2: answers each request from its offset, sends at most {@code cut} bytes
   * (flipping the first one when {@code corrupt}), then closes; records every offset asked for.
   */
  Holder v2Holder(List<Long> offsets, int cut, boolean corrupt) throws Exception {
    return holder(
        (socket, request) -> {
          long offset;
          try {
            offset = V2Codec.decodeRequest(request).offset();
          } catch (Exception e) {
            socket.close();
            return;
          }
          offsets.add(offset);
          byte[] rest = Arrays.copyOfRange(content, (int) offset, SIZE);
          byte[] sent = Arrays.copyOf(rest, Math.min(cut, rest.length));
          if (corrupt && sent.length > 0) {
            sent[0] ^= 1;
          }
          socket.end(Buffer.buffer("Content-Length: " + rest.length + "\n").appendBytes(sent));
        });
  }

  @Test
  void anInterruptedDownloadResumesFromItsPrefix() throws Exception {
    List<Long> offsets = new CopyOnWriteArrayList<>();
    Holder flaky = v2Holder(offsets, SIZE / 4, false); // cut after a quarter, every time
    line.set(v2Line(flaky.port()));
    Path folder = Files.createDirectories(root.resolve("puller"));
    startPeer(folder, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(folder.resolve("f.bin")));
    assertThat(Files.readAllBytes(folder.resolve("f.bin"))).isEqualTo(content);
    assertThat(offsets).containsExactly(0L, (long) SIZE / 4, (long) SIZE / 2, 3L * SIZE / 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles(folder) == 0);
  }

  @Test
  void aPrefixKeptWhenThePeerStopsIsResumedAfterARestartAndNeverLeftInTheFolder() throws Exception {
    // A holder that sends a quarter of what is asked for, then stalls.
    Holder stalling =
        holder(
            (socket, request) -> {
              try {
                long offset = V2Codec.decodeRequest(request).offset();
                socket.write(
                    Buffer.buffer("Content-Length: " + (SIZE - offset) + "\n")
                        .appendBytes(
                            Arrays.copyOfRange(
                                content,
                                (int) offset,
                                (int) offset + Math.min(SIZE / 4, SIZE - (int) offset))));
              } catch (Exception e) {
                socket.close();
              }
            });
    line.set(v2Line(stalling.port()));
    Path folder = Files.createDirectories(root.resolve("puller"));
    PeerVerticle first = startPeer(folder, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> stalling.requests().get() >= 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                first.transfers().failed() >= 1
                    || first
                        .status()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get()
                        .running()
                        .stream()
                        .anyMatch(t -> t.bytes() > 0));
    get(vertx.undeploy(first.deploymentID()));

    assertThat(tempFiles(folder)).as("no partial file left in the folder").isZero();
    assertThat(folder.resolve("f.bin")).doesNotExist();
    Path kept = folder.resolve(FileNames.STATE_DIR).resolve("partials");
    long keptBytes;
    try (Stream<Path> files = Files.list(kept)) {
      List<Path> parts = files.filter(p -> p.toString().endsWith(".part")).toList();
      assertThat(parts).hasSize(1);
      keptBytes = Files.size(parts.get(0));
    }
    assertThat(keptBytes).isPositive().isLessThan(SIZE);

    List<Long> offsets = new CopyOnWriteArrayList<>();
    Holder honest = v2Holder(offsets, SIZE, false);
    line.set(v2Line(honest.port()));
    startPeer(folder, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(folder.resolve("f.bin")));
    assertThat(Files.readAllBytes(folder.resolve("f.bin"))).isEqualTo(content);
    assertThat(offsets).containsExactly(keptBytes); // the rest only, and verified whole
    try (Stream<Path> files = Files.list(kept)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aKeptPrefixGoesOnceNoHolderOffersItsVersion() throws Exception {
    AtomicInteger served = new AtomicInteger();
    Holder once =
        holder(
            s -> {
              if (served.getAndIncrement() == 0) {
                s.end(
                    Buffer.buffer("Content-Length: " + SIZE + "\n")
                        .appendBytes(Arrays.copyOf(content, SIZE / 4)));
              } else {
                s.close(); // gone for good
              }
            });
    line.set(v2Line(once.port()));
    Path folder = Files.createDirectories(root.resolve("puller"));
    startPeer(folder, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> once.requests().get() >= 2);
    assertThat(tempFiles(folder)).isEqualTo(1); // the prefix, kept while the version is offered
    line.set("{}");
    await().atMost(Duration.ofSeconds(10)).until(() -> tempFiles(folder) == 0);
    assertThat(folder.resolve("f.bin")).doesNotExist();
  }

  @Test
  void aCorruptPrefixIsNeverKeptAndTheFileComesWholeFromAnHonestHolder() throws Exception {
    List<Long> liarOffsets = new CopyOnWriteArrayList<>();
    List<Long> honestOffsets = new CopyOnWriteArrayList<>();
    Holder liar = v2Holder(liarOffsets, SIZE / 3, true); // a bad prefix, then gone
    Holder honest = v2Holder(honestOffsets, SIZE, false);
    line.set(v2Line(liar.port()));
    Path folder = Files.createDirectories(root.resolve("puller"));
    startPeer(folder, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> liar.requests().get() >= 1);
    line.set(v2Line(liar.port(), honest.port()));
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(folder.resolve("f.bin")));
    assertThat(Files.readAllBytes(folder.resolve("f.bin"))).isEqualTo(content);
    assertThat(honestOffsets).contains(0L); // the good copy came whole from the honest holder
    await().atMost(Duration.ofSeconds(5)).until(() -> tempFiles(folder) == 0);
  }

  private static long tempFiles(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> FileNames.isTempName(p.getFileName().toString())).count();
    }
  }

  private byte[] ask(int port, byte[] request) throws Exception {
    return FileServerTest.exchange(port, request);
  }

  private static byte[] v2Request(String name, String sha, long offset) {
    return V2Codec.encodeRequest(new V2Codec.Request(name, sha, offset)).getBytes();
  }

  @Test
  void v2RequestsAreServedFromAnOffsetAndHostileOnesGetNoBytes() throws Exception {
    Path folder = Files.createDirectories(root.resolve("server"));
    Files.write(folder.resolve("f.bin"), content);
    PeerVerticle v2 = startPeer(folder, 2);
    Path seedFolder = Files.createDirectories(root.resolve("seed"));
    Files.write(seedFolder.resolve("f.bin"), content);
    PeerVerticle seed = startPeer(seedFolder, 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ask(v2.actualPort(), v2Request("f.bin", sha, 0)).length > 0);

    byte[] whole = ask(v2.actualPort(), v2Request("f.bin", sha, 0));
    byte[] header = ("Content-Length: " + SIZE + "\n").getBytes(StandardCharsets.US_ASCII);
    assertThat(Arrays.copyOf(whole, header.length)).isEqualTo(header);
    assertThat(Arrays.copyOfRange(whole, header.length, whole.length)).isEqualTo(content);

    byte[] tail = ask(v2.actualPort(), v2Request("f.bin", sha, SIZE - 10));
    assertThat(tail)
        .isEqualTo(
            Buffer.buffer("Content-Length: 10\n")
                .appendBytes(Arrays.copyOfRange(content, SIZE - 10, SIZE))
                .getBytes());
    assertThat(ask(v2.actualPort(), v2Request("f.bin", sha, SIZE)))
        .isEqualTo("Content-Length: 0\n".getBytes(StandardCharsets.US_ASCII));

    // hostile: past the end, negative, another version, an unknown name, an unsafe one
    assertThat(ask(v2.actualPort(), v2Request("f.bin", sha, SIZE + 1))).isEmpty();
    assertThat(ask(v2.actualPort(), v2Request("f.bin", sha, -1))).isEmpty();
    assertThat(ask(v2.actualPort(), v2Request("f.bin", "0".repeat(64), 0))).isEmpty();
    assertThat(ask(v2.actualPort(), v2Request("nope", sha, 0))).isEmpty();
    byte[] unsafe =
        ("\u0001{\"name\": \"../f.bin\", \"sha256\": \"" + sha + "\", \"offset\": 0}\n")
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(ask(v2.actualPort(), unsafe)).isEmpty();
    assertThat(ask(v2.actualPort(), "\u0001garbage\n".getBytes(StandardCharsets.US_ASCII)))
        .isEmpty();

    // a seed peer never answers a v2 request (no control character is a name)
    assertThat(ask(seed.actualPort(), v2Request("f.bin", sha, 0))).isEmpty();
    // and a v2 peer still answers a seed request as ever
    byte[] seedAnswer = ask(v2.actualPort(), "f.bin\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(Arrays.copyOfRange(seedAnswer, header.length, seedAnswer.length)).isEqualTo(content);
    // the hidden state is never served
    assertThat(ask(v2.actualPort(), (FileNames.STATE_DIR + "\n").getBytes())).isEmpty();
  }
}
