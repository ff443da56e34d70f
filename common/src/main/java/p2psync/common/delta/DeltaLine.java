package p2psync.common.delta;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileNames;
import p2psync.common.ProtocolException;
import p2psync.common.PythonJson;
import p2psync.common.SeedCodec;

/**
 * A versioned directory line (docs/protocol-v2.md, "Directory deltas and push"): a full directory
 * or the members that changed between two versions, each member in its {@link CompactMember compact
 * form} and with the number it adds to the directory's hash, computed from its bytes as they came.
 *
 * @param from the version the delta starts from; 0: a full directory
 * @param members in line order
 */
public record DeltaLine(long epoch, long from, long version, long hash, List<Member> members) {

  /**
   * One member: {@code removed} (the value {@code null}), or the member's hash number and its entry
   * ({@code entry} null with a {@code rejection} when it is not one to act on: an unsafe name, a
   * bad address; it still counts in the hash, as it is part of the directory).
   */
  public record Member(
      String name, boolean removed, long hash, DirectoryEntry entry, String rejection) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** How every versioned line starts: the v2 mark with its {@code "d"} array. */
  private static final byte[] START =
      "{\"\": {\"v\": 2, \"d\": [".getBytes(StandardCharsets.US_ASCII);

  public boolean full() {
    return from == 0;
  }

  /** Whether a line (without its {@code \n}) is a versioned one, by its first bytes. */
  public static boolean isVersioned(Buffer line) {
    if (line.length() < START.length) {
      return false;
    }
    for (int i = 0; i < START.length; i++) {
      if (line.getByte(i) != START[i]) {
        return false;
      }
    }
    return true;
  }

  // ---- tracker side ---------------------------------------------------------------------------

  /**
   * The mark member, {@code "": {"v": 2, "d": [epoch, from, version, "hash"]}}; {@code from} 0: a
   * full directory. An array, as every byte of it is pushed to every delta peer with every change.
   */
  public static byte[] mark(long epoch, long from, long version, long hash) {
    return ("\"\": {\"v\": 2, \"d\": ["
            + epoch
            + ", "
            + from
            + ", "
            + version
            + ", \""
            + MemberHash.text(hash)
            + "\"]}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A removed name's member, {@code "name": null}. */
  public static byte[] removal(String name) {
    StringBuilder out = new StringBuilder(name.length() + 10);
    PythonJson.appendString(out, name);
    return out.append(": null").toString().getBytes(StandardCharsets.US_ASCII);
  }

  // ---- peer side ------------------------------------------------------------------------------

  /**
   * Reads a versioned line (without its {@code \n}). Anything that does not make one well-formed
   * versioned directory fails it: the peer then asks for the whole directory.
   */
  public static DeltaLine decode(Buffer line) throws ProtocolException {
    byte[] bytes = line.getBytes();
    for (byte b : bytes) {
      if (b < 0) {
        SeedCodec.decodeUtf8(line); // strict: throws on malformed UTF-8, as for every line
        break;
      }
    }
    try (JsonParser parser = MAPPER.getFactory().createParser(bytes)) {
      return read(parser, bytes);
    } catch (JsonProcessingException e) {
      throw new ProtocolException("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ProtocolException("invalid JSON: " + e.getMessage());
    }
  }

  private static DeltaLine read(JsonParser parser, byte[] bytes)
      throws IOException, ProtocolException {
    if (parser.nextToken() != JsonToken.START_OBJECT
        || parser.nextToken() != JsonToken.FIELD_NAME
        || !parser.currentName().isEmpty()
        || parser.nextToken() != JsonToken.START_OBJECT) {
      throw new ProtocolException("a versioned line starts with the v2 mark");
    }
    JsonNode mark = ((JsonNode) parser.readValueAsTree()).get("d");
    if (mark == null || !mark.isArray() || mark.size() != 4) {
      throw new ProtocolException("the mark's \"d\" is [epoch, from, version, hash]");
    }
    long epoch = SeedCodec.requireLong(mark.get(0), "epoch", 1, Long.MAX_VALUE);
    long version = SeedCodec.requireLong(mark.get(2), "version", 1, Long.MAX_VALUE);
    long from = SeedCodec.requireLong(mark.get(1), "from", 0, version);
    long hash;
    try {
      hash = MemberHash.parse(mark.get(3).textValue());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(e.getMessage());
    }
    List<Member> members = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_OBJECT;
        token = parser.nextToken()) {
      String name = parser.currentName();
      int start = (int) parser.currentTokenLocation().getByteOffset();
      if (!seen.add(name)) {
        throw new ProtocolException("the line lists " + name + " twice");
      }
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        if (from == 0) {
          throw new ProtocolException("a full directory removes nothing");
        }
        members.add(new Member(name, true, 0, null, null));
        continue;
      }
      if (value != JsonToken.START_ARRAY) {
        throw new ProtocolException("the member of " + name + " is not an array");
      }
      JsonNode node = parser.readValueAsTree();
      int end = (int) parser.currentLocation().getByteOffset();
      long number = MemberHash.of(bytes, start, end - start);
      String reason = FileNames.rejectionReason(name);
      DirectoryEntry entry = null;
      if (reason == null) {
        try {
          entry = CompactMember.decode(node);
        } catch (ProtocolException e) {
          reason = e.getMessage();
        }
      }
      members.add(new Member(name, false, number, entry, reason));
    }
    if (parser.nextToken() != null) {
      throw new ProtocolException("invalid JSON: extra data after the object");
    }
    return new DeltaLine(epoch, from, version, hash, List.copyOf(members));
  }
}
