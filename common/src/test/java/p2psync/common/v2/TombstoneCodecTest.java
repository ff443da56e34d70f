package p2psync.common.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;

/** Tombstones on the wire: v2 messages only, never a byte of one to a seed party. */
class TombstoneCodecTest {
  static final String A = "a".repeat(64);
  final List<FileEntry> files =
      List.of(new FileEntry("kept", 5, 3, A), FileEntry.tombstone("gone", 9, 4, A));

  @Test
  void aTombstoneIsSentInV2MessagesAndLeftOutOfSeedMessagesAndOffers() {
    assertThat(V2Codec.encodeInit(8000, files))
        .isEqualTo(
            "{\"port\": 8000, \"v\": 2, \"files\": [{\"name\": \"kept\", \"mtime\": 5, \"size\": 3,"
                + " \"sha256\": \""
                + A
                + "\"}, {\"name\": \"gone\", \"mtime\": 9, \"size\": 4, \"sha256\": \""
                + A
                + "\", \"deleted\": true}]}\n");
    assertThat(V2Codec.encodeOffer(8000, files))
        .isEqualTo("{\"port\": 8000, \"v\": 2, \"files\": [{\"name\": \"kept\", \"mtime\": 5}]}\n");
    assertThat(SeedCodec.encodeInit(8000, files))
        .isEqualTo("{\"port\": 8000, \"files\": [{\"name\": \"kept\", \"mtime\": 5}]}\n");
  }

  @Test
  void aV2MessageReadsItsTombstonesBack() throws Exception {
    assertThat(SeedCodec.decodePeerMessage(Buffer.buffer(V2Codec.encodeInit(8000, files))).files())
        .isEqualTo(files);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a seed message is read as ever: the field means nothing there
        "seed message|{\"port\": 1, \"files\": [{\"name\": \"g\", \"mtime\": 9, \"size\": 4,"
            + " \"sha256\": \""
            + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            + "\", \"deleted\": true}]}|g 9 live",
        // a tombstone without a good hash would read as the very file it says is gone: dropped
        "v2, no hash|{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"g\", \"mtime\": 9,"
            + " \"deleted\": true}]}|none",
        // only the JSON true is a tombstone
        "v2, deleted as a string|{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"g\", \"mtime\": 9,"
            + " \"size\": 4, \"sha256\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
            + " \"deleted\": \"true\"}]}|g 9 live",
      })
  void whatIsReadAsATombstone(String why, String message, String expected) throws Exception {
    List<FileEntry> read = SeedCodec.decodePeerMessage(Buffer.buffer(message)).files();
    assertThat(
            read.isEmpty()
                ? "none"
                : read.get(0).name()
                    + " "
                    + read.get(0).mtime()
                    + (read.get(0).deleted() ? " deleted" : " live"))
        .as(why)
        .isEqualTo(expected);
  }

  @Test
  void aDeletedDirectoryMemberIsDecoded() throws Exception {
    byte[] member =
        V2Codec.encodeDirectoryMember(
            "gone", "10.0.0.1", 8000, 9, 4, A, true, List.of(new V2Entry.Source("10.0.0.1", 8000)));
    SeedCodec.Directory directory =
        SeedCodec.decodeDirectory(Buffer.buffer("{" + new String(member) + "}"));
    assertThat(directory.entries().get("gone").v2().deleted()).isTrue();
  }
}
