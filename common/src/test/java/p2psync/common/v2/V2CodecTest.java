package p2psync.common.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;

class V2CodecTest {
  static final String A = "0123456789abcdef".repeat(4);

  @Test
  void initCarriesVersionSizeAndHashAndReadsBack() throws Exception {
    String init =
        V2Codec.encodeInit(
            8001, List.of(new FileEntry("a b.txt", 10, 5, A), new FileEntry("new", 11)));
    assertThat(init)
        .isEqualTo(
            "{\"port\": 8001, \"v\": 2, \"files\": [{\"name\": \"a b.txt\", \"mtime\": 10,"
                + " \"size\": 5, \"sha256\": \""
                + A
                + "\"}, {\"name\": \"new\", \"mtime\": 11}]}\n");
    Buffer line = Buffer.buffer(init.substring(0, init.length() - 1));
    SeedCodec.PeerMessage message = SeedCodec.decodePeerMessage(line);
    assertThat(message.version()).isEqualTo(2);
    assertThat(message.files())
        .containsExactly(new FileEntry("a b.txt", 10, 5, A), new FileEntry("new", 11));
    assertThat(SeedCodec.decodePeerMessage(Buffer.buffer("{\"port\": 1, \"v\": 2}")).version())
        .isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // not v2: the fields are ignored, as a seed tracker ignores them
        "{\"port\": 1, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": 5, \"sha256\": \"%s\"}]}",
        "{\"port\": 1, \"v\": \"2\", \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": 5, \"sha256\": \"%s\"}]}",
        // v2, but a field is bad: a seed entry, not a failed message
        "{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": -5, \"sha256\": \"%s\"}]}",
        "{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": 5, \"sha256\": \"%S\"}]}",
        "{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"sha256\": \"%s\"}]}",
        "{\"port\": 1, \"v\": 2, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": 5, \"sha256\": 7}]}",
        // a repeated key takes the tree reader: the same rules
        "{\"port\": 1, \"port\": 1, \"files\": [{\"name\": \"f\", \"mtime\": 1, \"size\": 5, \"sha256\": \"%s\"}]}",
      })
  void hashesAreTakenOnlyWhenWellFormedInAV2Message(String template) throws Exception {
    SeedCodec.PeerMessage message =
        SeedCodec.decodePeerMessage(
            Buffer.buffer(template.replace("%s", A).replace("%S", A.toUpperCase())));
    assertThat(message.files()).containsExactly(new FileEntry("f", 1));
  }

  @Test
  void directoryEntriesWithAndWithoutV2Parts() throws Exception {
    String member =
        new String(
            V2Codec.encodeDirectoryMember(
                "f",
                "10.0.0.1",
                8000,
                7,
                5,
                A,
                List.of(
                    new V2Entry.Source("10.0.0.1", 8000), new V2Entry.Source("10.0.0.2", 8001))),
            java.nio.charset.StandardCharsets.US_ASCII);
    SeedCodec.Directory directory =
        SeedCodec.decodeDirectory(
            Buffer.buffer(
                "{" + member + ", \"s\": {\"ip\": \"10.0.0.3\", \"port\": 9, \"mtime\": 1}}"));
    assertThat(directory.entries().get("f"))
        .isEqualTo(
            new DirectoryEntry(
                "10.0.0.1",
                8000,
                7,
                new V2Entry(
                    5,
                    A,
                    List.of(
                        new V2Entry.Source("10.0.0.1", 8000),
                        new V2Entry.Source("10.0.0.2", 8001)))));
    assertThat(directory.entries().get("s")).isEqualTo(new DirectoryEntry("10.0.0.3", 9, 1));
    // a bad v2 part drops that entry only
    SeedCodec.Directory bad =
        SeedCodec.decodeDirectory(
            Buffer.buffer(
                "{\"f\": {\"ip\": \"1.1.1.1\", \"port\": 1, \"mtime\": 1, \"sha256\": \"x\", \"sources\": []},"
                    + " \"s\": {\"ip\": \"10.0.0.3\", \"port\": 9, \"mtime\": 1}}"));
    assertThat(bad.entries()).containsOnlyKeys("s");
    assertThat(bad.rejected()).hasSize(1);
  }

  @Test
  void requestsRoundTripAndAreNeverSeedNames() throws Exception {
    Buffer request = V2Codec.encodeRequest(new V2Codec.Request("a\"b.txt", A, 12));
    assertThat(request.getByte(0)).isEqualTo((byte) 1);
    Buffer line = request.slice(0, request.length() - 1);
    assertThat(V2Codec.isRequest(line)).isTrue();
    assertThat(V2Codec.isRequest(Buffer.buffer("a.txt"))).isFalse();
    assertThat(V2Codec.decodeRequest(line)).isEqualTo(new V2Codec.Request("a\"b.txt", A, 12));
    assertThat(p2psync.common.FileNames.isSyncable(line.toString())).isFalse();

    Buffer more = V2Codec.encodeRequest(new V2Codec.Request("a", A, 0, true));
    assertThat(more.toString())
        .isEqualTo(
            "\u0001{\"name\": \"a\", \"sha256\": \"" + A + "\", \"offset\": 0, \"more\": true}\n");
    assertThat(V2Codec.decodeRequest(more.slice(0, more.length() - 1)))
        .isEqualTo(new V2Codec.Request("a", A, 0, true));

    Buffer range = V2Codec.encodeRequest(new V2Codec.Request("a", A, 8, 16, true));
    assertThat(range.toString())
        .isEqualTo(
            "\u0001{\"name\": \"a\", \"sha256\": \""
                + A
                + "\", \"offset\": 8, \"length\": 16, \"more\": true}\n");
    assertThat(V2Codec.decodeRequest(range.slice(0, range.length() - 1)))
        .isEqualTo(new V2Codec.Request("a", A, 8, 16, true));
    assertThat(new V2Codec.Request("a", A, 8).ranged()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[1]",
        "{\"name\": \"../x\", \"sha256\": \"%s\", \"offset\": 0}",
        "{\"name\": \"x\", \"sha256\": \"abc\", \"offset\": 0}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 1.5}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 0, \"more\": 1}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 99999999999999999999999}",
        "{\"name\": \"x\", \"sha256\": \"%s\"}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 0, \"length\": -1}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 0, \"length\": \"5\"}",
        "{\"name\": \"x\", \"sha256\": \"%s\", \"offset\": 0, \"length\": 2.5}",
      })
  void hostileRequestsAreRefused(String body) {
    Buffer line = Buffer.buffer().appendByte((byte) 1).appendString(body.replace("%s", A));
    assertThatThrownBy(() -> V2Codec.decodeRequest(line)).isInstanceOf(ProtocolException.class);
  }
}
