package p2psync.common.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.FileEntry;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;
import p2psync.common.SeedCodec.ListChanges;

/** Incremental advertisements on the wire (docs/protocol-v2.md, "Incremental advertisement"). */
class IncrementCodecTest {
  static final String A = "0123456789abcdef".repeat(4);

  private static SeedCodec.PeerMessage decode(String line) throws ProtocolException {
    return SeedCodec.decodePeerMessage(
        Buffer.buffer(line.endsWith("\n") ? line.substring(0, line.length() - 1) : line));
  }

  @Test
  void changesAreWrittenAsDocumentedAndReadBack() throws Exception {
    String line =
        V2Codec.encodeChanges(
            8001,
            ", \"delta\": {\"push\": true}",
            List.of(new FileEntry("a.bin", 10, 5, A), FileEntry.tombstone("gone", 12, 3, A)),
            List.of("old \"x\".txt"));
    assertThat(line)
        .isEqualTo(
            "{\"port\": 8001, \"v\": 2, \"delta\": {\"push\": true}, \"changed\": [{\"name\":"
                + " \"a.bin\", \"mtime\": 10, \"size\": 5, \"sha256\": \""
                + A
                + "\"}, {\"name\": \"gone\", \"mtime\": 12, \"size\": 3, \"sha256\": \""
                + A
                + "\", \"deleted\": true}], \"removed\": [\"old \\\"x\\\".txt\"]}\n");
    SeedCodec.PeerMessage message = decode(line);
    assertThat(message.hasFiles()).isFalse();
    assertThat(message.changes())
        .isEqualTo(
            new ListChanges(
                List.of(new FileEntry("a.bin", 10, 5, A), FileEntry.tombstone("gone", 12, 3, A)),
                List.of("old \"x\".txt")));
    assertThat(message.deltaRequest()).isNotNull();
    assertThat(decode(V2Codec.encodeChanges(1, "", List.of(), List.of("r"))).changes())
        .isEqualTo(new ListChanges(List.of(), List.of("r")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // a seed message: unknown keys, ignored as the course's tracker ignores them
        "{\"port\": 1, \"changed\": [{\"name\": \"f\", \"mtime\": 1}], \"removed\": [\"g\"]}",
        "{\"port\": 1, \"v\": \"2\", \"changed\": [{\"name\": \"f\", \"mtime\": 1}]}",
        "{\"port\": 1, \"changed\": 7, \"removed\": {\"a\": 1}}",
        "{\"port\": 1, \"changed\": [{\"mtime\": \"x\"}]}",
        // a whole list: the changes are not read
        "{\"port\": 1, \"v\": 2, \"files\": [], \"changed\": [{\"name\": \"f\", \"mtime\": 1}]}",
        "{\"port\": 1, \"v\": 2, \"files\": [], \"changed\": 7}",
        // null: absent
        "{\"port\": 1, \"v\": 2, \"changed\": null, \"removed\": null}",
      })
  void changesAreReadOnlyFromAV2MessageWithoutFiles(String line) throws Exception {
    assertThat(decode(line).hasChanges()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"port\": 1, \"v\": 2, \"changed\": 7}|\"changed\" must be an array",
        "{\"port\": 1, \"v\": 2, \"removed\": \"a\"}|\"removed\" must be an array",
        "{\"port\": 1, \"v\": 2, \"removed\": [1]}|\"removed\" must list names",
        "{\"port\": 1, \"v\": 2, \"changed\": [3]}|each file must be an object",
        "{\"port\": 1, \"v\": 2, \"changed\": [{\"name\": \"f\"}]}|\"mtime\" must be an integer",
        "{\"changed\": [{\"name\": 5, \"mtime\": 1}], \"port\": 1, \"v\": 2}|\"name\" must be a"
            + " string",
      })
  void malformedChangesFailTheMessage(String line, String reason) {
    assertThatThrownBy(() -> decode(line))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(reason);
    // the tree reader (a repeated key) says the same
    assertThatThrownBy(() -> decode(line.replace("{\"port\": 1", "{\"port\": 1, \"port\": 1")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void entriesThatCannotBeTakenAreRemovedAndUnsyncableNamesRejected() throws Exception {
    SeedCodec.PeerMessage message =
        decode(
            "{\"port\": 1, \"v\": 2, \"changed\": [{\"name\": \"t\", \"mtime\": 5, \"deleted\":"
                + " true}, {\"name\": \"x.py\", \"mtime\": 1}, {\"name\": \"s\", \"mtime\": 2,"
                + " \"size\": -1, \"sha256\": \"no\"}], \"removed\": [\"../up\", \"r\"]}");
    assertThat(message.changes())
        .isEqualTo(new ListChanges(List.of(new FileEntry("s", 2)), List.of("r", "t")));
    assertThat(message.rejectedNames()).containsExactly("x.py");
  }
}
