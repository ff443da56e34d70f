package p2psync.peer.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2psync.common.v2.Sha256;

class PartialStoreTest {
  @TempDir Path root;
  final byte[] whole = new byte[50_000];
  final String wholeSha;
  static final int KEPT = 20_000;

  PartialStoreTest() throws Exception {
    new Random(3).nextBytes(whole);
    wholeSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole));
  }

  /** A prefix as a stopping download leaves it: a temp file in the folder, its digest state. */
  Partial kept() throws Exception {
    Path temp = root.resolve(".p2psync-1234.part");
    Files.write(temp, java.util.Arrays.copyOf(whole, KEPT));
    MessageDigest digest = Sha256.newDigest();
    digest.update(whole, 0, KEPT);
    return new Partial(temp, KEPT, digest, wholeSha, 1_700_000_000L, false);
  }

  @Test
  void aKeptPrefixComesBackAndTheResumedHashIsTheWholeFilesHash() throws Exception {
    PartialStore store = new PartialStore(root);
    Partial before = kept();
    store.save("a b é.bin", before);
    assertThat(before.path()).doesNotExist(); // moved out of the folder
    try (Stream<Path> folder = Files.list(root)) {
      assertThat(folder.map(p -> p.getFileName().toString())).containsExactly(".p2psync-state");
    }

    Map<String, Partial> loaded = new PartialStore(root).loadAll();
    assertThat(loaded).containsOnlyKeys("a b é.bin");
    Partial after = loaded.get("a b é.bin");
    assertThat(after.length()).isEqualTo(KEPT);
    assertThat(after.sha256()).isEqualTo(wholeSha);
    assertThat(after.mtime()).isEqualTo(1_700_000_000L);
    assertThat(Files.readAllBytes(after.path())).isEqualTo(java.util.Arrays.copyOf(whole, KEPT));
    after.digest().update(whole, KEPT, whole.length - KEPT);
    assertThat(Sha256.hex(after.digest().digest())).isEqualTo(wholeSha);
    // read once: the state is the caller's now, so a second start finds nothing to resume
    assertThat(new PartialStore(root).loadAll()).isEmpty();
    assertThat(after.path()).doesNotExist();
  }

  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of("garbage state", (UnaryOperator<String>) s -> "not a state file\n", null),
        Arguments.of(
            "truncated state",
            (UnaryOperator<String>) s -> s.substring(0, s.indexOf("name")),
            null),
        Arguments.of("no end line", (UnaryOperator<String>) s -> s.replace("end\n", "\n"), null),
        Arguments.of(
            "length not a number",
            (UnaryOperator<String>) s -> s.replace("length " + KEPT, "length many"),
            null),
        Arguments.of(
            "prefix longer than its bytes",
            (UnaryOperator<String>) s -> s.replace("length " + KEPT, "length " + (KEPT + 1)),
            null),
        Arguments.of(
            "an unsafe name",
            (UnaryOperator<String>) s -> s.replace("name a.bin", "name .."),
            null),
        Arguments.of(
            "bytes changed",
            (UnaryOperator<String>) s -> s,
            (UnaryOperator<byte[]>)
                b -> {
                  b[100] ^= 1;
                  return b;
                }),
        Arguments.of(
            "bytes cut short",
            (UnaryOperator<String>) s -> s,
            (UnaryOperator<byte[]>) b -> java.util.Arrays.copyOf(b, KEPT - 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void aKeptPrefixThatDoesNotVerifyIsDeletedAndTheOthersStillLoad(
      String why, UnaryOperator<String> state, UnaryOperator<byte[]> data) throws Exception {
    PartialStore store = new PartialStore(root);
    store.save("a.bin", kept());
    store.save("good.bin", kept());
    Path dir = store.dir();
    Path stateFile;
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> states = files.filter(p -> p.toString().endsWith(".state")).toList();
      stateFile =
          states.stream()
              .filter(p -> readString(p).contains("name a.bin\n"))
              .findFirst()
              .orElseThrow();
    }
    Files.writeString(stateFile, state.apply(Files.readString(stateFile)));
    if (data != null) {
      Path dataFile = dir.resolve(stateFile.getFileName().toString().replace(".state", ".part"));
      Files.write(dataFile, data.apply(Files.readAllBytes(dataFile)));
    }

    Map<String, Partial> loaded = store.loadAll();

    assertThat(loaded).containsOnlyKeys("good.bin");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(loaded.get("good.bin").path());
    }
  }

  @Test
  void dataWithoutStateIsDeleted() throws Exception {
    PartialStore store = new PartialStore(root);
    Files.createDirectories(store.dir());
    Files.write(store.dir().resolve("orphan.part"), new byte[10]);
    assertThat(store.loadAll()).isEmpty();
    try (Stream<Path> files = Files.list(store.dir())) {
      assertThat(files).isEmpty();
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
