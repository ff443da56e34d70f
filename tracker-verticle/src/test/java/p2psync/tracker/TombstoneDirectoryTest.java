package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.FileEntry;

/**
 * v2 sync semantics in the directory: a tombstone is a claim like any other, but never on the seed
 * line; a hostile one is no claim at all; equal mtimes are decided by the hash, whatever the
 * addresses and the arrival order.
 */
class TombstoneDirectoryTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final long NOW = 1_700_000_000L;

  final Directory directory = new Directory();

  {
    directory.setClock(() -> NOW);
    directory.setMaxClockSkew(Duration.ofMinutes(1));
    directory.setV2LineInterval(Duration.ZERO);
  }

  @AfterEach
  void close() {
    directory.close();
  }

  private static String line(io.netty.buffer.ByteBuf buf) {
    return buf.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void aTombstoneWinsTheV2LineAndTakesTheNameOffTheSeedLine() {
    directory.register(1, "10.0.0.1", 8000); // v2, deletes f
    directory.register(2, "10.0.0.2", 8000); // seed, keeps its older copy
    directory.replaceFiles(1, List.of(new FileEntry("f", NOW - 100, 5, A), new FileEntry("k", 1)));
    directory.replaceFiles(2, List.of(new FileEntry("f", NOW - 100)));
    assertThat(line(directory.wireLine())).contains("\"f\"");

    directory.replaceFiles(1, List.of(FileEntry.tombstone("f", NOW, 5, A), new FileEntry("k", 1)));
    assertThat(line(directory.wireLine()))
        .isEqualTo("{\"k\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": 1}}\n");
    assertThat(line(directory.wireLineV2()))
        .contains(
            "\"f\": {\"ip\": \"10.0.0.1\", \"port\": 8000, \"mtime\": "
                + NOW
                + ", \"size\": 5, \"sha256\": \""
                + A
                + "\", \"deleted\": true, \"sources\": [{\"ip\": \"10.0.0.1\", \"port\": 8000}]}");
    assertThat(directory.record(1).files()).contains(FileEntry.tombstone("f", NOW, 5, A));

    // a newer edit by the seed peer brings the name back, on both lines
    directory.replaceFiles(2, List.of(new FileEntry("f", NOW + 5)));
    assertThat(line(directory.wireLine())).contains("\"f\": {\"ip\": \"10.0.0.2\"");
    assertThat(line(directory.wireLineV2())).doesNotContain("deleted");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a version never advertised for the name, 0, " + "c",
    "dated beyond the clock skew, 61, a",
  })
  void aHostileTombstoneIsNoClaim(String why, long secondsAhead, char hashDigit) {
    directory.register(1, "10.0.0.1", 8000);
    directory.register(2, "10.0.0.9", 8000);
    directory.replaceFiles(1, List.of(new FileEntry("f", NOW - 100, 5, A)));
    String before = line(directory.wireLineV2());
    directory.replaceFiles(
        2,
        List.of(
            FileEntry.tombstone("f", NOW + secondsAhead, 5, String.valueOf(hashDigit).repeat(64)),
            FileEntry.tombstone("never-here", NOW, 5, A)));
    assertThat(line(directory.wireLineV2())).isEqualTo(before);
    assertThat(directory.record(2).files()).isEmpty();
  }

  @Test
  void anEditWinsOverADeletionOfTheSameSecond() {
    directory.register(1, "10.0.0.1", 8000);
    directory.register(2, "10.0.0.2", 8000);
    directory.replaceFiles(1, List.of(new FileEntry("f", NOW - 100, 5, B)));
    directory.replaceFiles(2, List.of(new FileEntry("f", NOW - 100, 5, B)));
    // 1 deletes the version with the greater hash; 2 edits it (a smaller hash) in the same second
    directory.replaceFiles(1, List.of(FileEntry.tombstone("f", NOW, 5, B)));
    directory.replaceFiles(2, List.of(new FileEntry("f", NOW, 6, A)));
    assertThat(line(directory.wireLineV2()))
        .contains("\"sha256\": \"" + A + "\", \"sources\"")
        .doesNotContain("deleted");
  }

  @Test
  void equalMtimesAreDecidedByTheHashWhateverTheAddressesAndTheOrder() {
    Directory other = new Directory();
    other.setV2LineInterval(Duration.ZERO);
    directory.register(1, "10.0.0.1", 8000);
    directory.register(2, "10.0.0.2", 8000);
    directory.replaceFiles(1, List.of(new FileEntry("f", 10, 5, A)));
    directory.replaceFiles(2, List.of(new FileEntry("f", 10, 6, B)));
    other.register(7, "10.0.0.2", 8000);
    other.register(8, "10.0.0.1", 8000);
    other.replaceFiles(7, List.of(new FileEntry("f", 10, 6, B)));
    other.replaceFiles(8, List.of(new FileEntry("f", 10, 5, A)));
    assertThat(line(directory.wireLineV2()))
        .contains("\"sha256\": \"" + B)
        .isEqualTo(line(other.wireLineV2()));
    other.close();
  }
}
