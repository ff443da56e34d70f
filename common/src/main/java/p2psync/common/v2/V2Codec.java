package p2psync.common.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;
import p2psync.common.ProtocolException;
import p2psync.common.PythonJson;
import p2psync.common.SeedCodec;

/**
 * The v2 extension's wire (docs/protocol-v2.md): the same framing and JSON style as the seed
 * protocol, plus fields seed programs ignore, plus one request form on the file port that no seed
 * request can be mistaken for. Only sent to a party that has shown it speaks v2.
 */
public final class V2Codec {
  /**
   * The first byte of a v2 file request. A seed request is a file name, and no name may contain a
   * control character, so a seed server reading one refuses it and a v2 server tells the two apart
   * by the first byte.
   */
  public static final byte REQUEST_MARK = 0x01;

  /**
   * The first member of every v2 line: the tracker's answer to {@code "v": 2}, so a peer knows it
   * may send v2 fields. Its name is empty, which no file can have; a seed tracker never sends it.
   */
  public static final String LINE_MARK = "\"\": {\"v\": 2}";

  /** The mark up to its closing brace: a versioned line's mark has more fields after the 2. */
  private static final byte[] LINE_START =
      ("{" + LINE_MARK.substring(0, LINE_MARK.length() - 1))
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private V2Codec() {}

  /** {@link #LINE_MARK} as the bytes a v2 line's members start with. */
  public static byte[] lineMark() {
    return LINE_MARK.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Whether a directory line (without its {@code \n}) comes from a tracker that speaks v2. */
  public static boolean isV2Line(Buffer line) {
    if (line.length() < LINE_START.length) {
      return false;
    }
    for (int i = 0; i < LINE_START.length; i++) {
      if (line.getByte(i) != LINE_START[i]) {
        return false;
      }
    }
    // {"": {"v": 2} or a versioned line's {"": {"v": 2, "epoch": ...
    return line.length() > LINE_START.length
        && (line.getByte(LINE_START.length) == '}' || line.getByte(LINE_START.length) == ',');
  }

  // ---- peer -> tracker ----------------------------------------------------------------------

  /**
   * {@code {"port": P, "v": 2, "files": [{"name": N, "mtime": M, "size": S, "sha256": H}, ...]}\n};
   * an entry not hashed yet is written as a seed entry.
   */
  public static String encodeInit(int port, List<FileEntry> files) {
    return encodeInit(port, "", files);
  }

  /** As {@link #encodeInit(int, List)}, with {@code extra} (", key: value...") after the "v". */
  public static String encodeInit(int port, String extra, List<FileEntry> files) {
    return SeedCodec.encodeInit(
        "{\"port\": " + port + ", \"v\": 2" + extra + ", \"files\": [", files, true);
  }

  /**
   * {@code {"port": P, "v": 2, "files": [{"name": N, "mtime": M}, ...]}\n}: v2 offered, no v2 field
   * sent. What a peer sends until the tracker has answered with a v2 line: a seed tracker sees one
   * key it ignores, never a hash or a size.
   */
  public static String encodeOffer(int port, List<FileEntry> files) {
    return encodeOffer(port, "", files);
  }

  /**
   * As {@link #encodeOffer(int, List)}, with {@code extra} after the "v": only fields a seed
   * tracker ignores (it reads port and files).
   */
  public static String encodeOffer(int port, String extra, List<FileEntry> files) {
    return SeedCodec.encodeInit(
        "{\"port\": " + port + ", \"v\": 2" + extra + ", \"files\": [", files, false);
  }

  /**
   * An incremental advertisement, {@code {"port": P, "v": 2, ...extra, "changed": [entries],
   * "removed": [names]}\n}: only what changed since the last advertisement on this connection
   * (docs/protocol-v2.md, "Incremental advertisement"). Either key is left out when it has nothing
   * to say.
   */
  public static String encodeChanges(
      int port, String extra, List<FileEntry> changed, List<String> removed) {
    StringBuilder out = new StringBuilder(64 + changed.size() * 140 + removed.size() * 40);
    out.append("{\"port\": ").append(port).append(", \"v\": 2").append(extra);
    if (!changed.isEmpty()) {
      out.append(", \"changed\": [");
      SeedCodec.appendEntries(out, changed, true);
      out.append(']');
    }
    if (!removed.isEmpty()) {
      out.append(", \"removed\": [");
      for (int i = 0; i < removed.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        PythonJson.appendString(out, removed.get(i));
      }
      out.append(']');
    }
    return out.append("}\n").toString();
  }

  /** {@code {"port": P, "v": 2}\n} */
  public static String encodeKeepAlive(int port) {
    return encodeKeepAlive(port, "");
  }

  /** {@code {"port": P, "v": 2, ...extra}\n} */
  public static String encodeKeepAlive(int port, String extra) {
    return "{\"port\": " + port + ", \"v\": 2" + extra + "}\n";
  }

  // ---- tracker -> peer ----------------------------------------------------------------------

  /**
   * {@code "name": {"ip": I, "port": P, "mtime": M, "size": S, "sha256": H, "sources": [{"ip": I,
   * "port": P}, ...]}}: the seed member's fields first, in the seed order, then v2's.
   */
  public static byte[] encodeDirectoryMember(
      String name,
      String ip,
      int port,
      long mtime,
      long size,
      String sha256,
      List<V2Entry.Source> sources) {
    return encodeDirectoryMember(name, ip, port, mtime, size, sha256, false, sources);
  }

  /**
   * As above; a tombstone ({@code deleted}) has {@code "deleted": true} before its sources (the
   * holders of that same tombstone).
   */
  public static byte[] encodeDirectoryMember(
      String name,
      String ip,
      int port,
      long mtime,
      long size,
      String sha256,
      boolean deleted,
      List<V2Entry.Source> sources) {
    StringBuilder out = new StringBuilder(name.length() + 140 + sources.size() * 36);
    out.append(
        new String(
            SeedCodec.encodeDirectoryMember(name, ip, port, mtime), StandardCharsets.US_ASCII));
    out.setLength(out.length() - 1); // the seed member's closing brace
    out.append(", \"size\": ").append(size);
    out.append(", \"sha256\": \"").append(sha256).append('"');
    if (deleted) {
      out.append(", \"deleted\": true");
    }
    out.append(", \"sources\": [");
    for (int i = 0; i < sources.size(); i++) {
      V2Entry.Source source = sources.get(i);
      if (i > 0) {
        out.append(", ");
      }
      out.append("{\"ip\": ");
      PythonJson.appendString(out, source.ip());
      out.append(", \"port\": ").append(source.port()).append('}');
    }
    out.append("]}");
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The v2 part of one directory entry, or null when it has none (a seed entry, or a seed tracker's
   * line). A malformed v2 part fails the entry.
   */
  public static V2Entry decodeEntry(JsonNode node) throws ProtocolException {
    JsonNode sha = node.get("sha256");
    JsonNode sources = node.get("sources");
    if (sha == null && sources == null) {
      return null;
    }
    if (sha == null || !Sha256.isHex(sha.textValue())) {
      throw new ProtocolException("\"sha256\" must be 64 lower-case hex digits");
    }
    long size = SeedCodec.requireLong(node.get("size"), "size", 0, Long.MAX_VALUE);
    if (sources == null || !sources.isArray()) {
      throw new ProtocolException("\"sources\" must be an array");
    }
    List<V2Entry.Source> list = new ArrayList<>(sources.size());
    for (JsonNode source : sources) {
      JsonNode ip = source.get("ip");
      if (ip == null || !ip.isTextual()) {
        throw new ProtocolException("a source's \"ip\" must be a string");
      }
      list.add(
          new V2Entry.Source(
              ip.textValue(), (int) SeedCodec.requireLong(source.get("port"), "port", 1, 65_535)));
    }
    JsonNode deleted = node.get("deleted");
    if (deleted != null && !deleted.isBoolean()) {
      throw new ProtocolException("\"deleted\" must be true or false");
    }
    return new V2Entry(size, sha.textValue(), list, deleted != null && deleted.booleanValue());
  }

  // ---- peer -> peer -------------------------------------------------------------------------

  /**
   * A v2 file request: the bytes of one version of {@code name} from {@code offset} on, {@code
   * length} of them ({@link #TO_END}: to the end; a range, docs/protocol-v2.md). {@code more}:
   * another request follows on the same connection, so the server keeps it open after this answer
   * (pipelining).
   */
  public record Request(String name, String sha256, long offset, long length, boolean more) {
    /** No {@code "length"} on the wire: the bytes from the offset to the end of the file. */
    public static final long TO_END = -1;

    public Request(String name, String sha256, long offset, boolean more) {
      this(name, sha256, offset, TO_END, more);
    }

    public Request(String name, String sha256, long offset) {
      this(name, sha256, offset, TO_END, false);
    }

    /** Whether the request names a range end ({@code "length"} on the wire). */
    public boolean ranged() {
      return length != TO_END;
    }
  }

  /**
   * {@code \x01{"name": N, "sha256": H, "offset": O}\n}, with {@code , "length": L} after the
   * offset for a range and {@code , "more": true} before the brace when more follow.
   */
  public static Buffer encodeRequest(Request request) {
    StringBuilder out = new StringBuilder(140);
    out.append((char) REQUEST_MARK).append("{\"name\": ");
    PythonJson.appendString(out, request.name());
    out.append(", \"sha256\": \"").append(request.sha256()).append("\", \"offset\": ");
    out.append(request.offset());
    if (request.ranged()) {
      out.append(", \"length\": ").append(request.length());
    }
    if (request.more()) {
      out.append(", \"more\": true");
    }
    out.append("}\n");
    return Buffer.buffer(out.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether a request line (without its {@code \n}) is a v2 request. */
  public static boolean isRequest(Buffer line) {
    return line.length() > 0 && line.getByte(0) == REQUEST_MARK;
  }

  /**
   * Reads a v2 request line (mark included, {@code \n} not). The name must be syncable and the hash
   * well-formed; the offset and length are returned as sent, for the server to check against the
   * file. An absent {@code "length"} is {@link Request#TO_END}; a present one must be an integer
   * {@code >= 0} (a negative one makes the request malformed: it is never read as "to the end").
   */
  public static Request decodeRequest(Buffer line) throws ProtocolException {
    ObjectNode request = SeedCodec.parseObject(SeedCodec.decodeUtf8(line.slice(1, line.length())));
    JsonNode name = request.get("name");
    if (name == null || !name.isTextual()) {
      throw new ProtocolException("\"name\" must be a string");
    }
    String reason = FileNames.rejectionReason(name.textValue());
    if (reason != null) {
      throw new ProtocolException("requested name " + reason);
    }
    JsonNode sha = request.get("sha256");
    if (sha == null || !Sha256.isHex(sha.textValue())) {
      throw new ProtocolException("\"sha256\" must be 64 lower-case hex digits");
    }
    long offset =
        SeedCodec.requireLong(request.get("offset"), "offset", Long.MIN_VALUE, Long.MAX_VALUE);
    JsonNode lengthNode = request.get("length");
    long length = Request.TO_END;
    if (lengthNode != null) {
      length = SeedCodec.requireLong(lengthNode, "length", 0, Long.MAX_VALUE);
    }
    JsonNode more = request.get("more");
    if (more != null && !more.isBoolean()) {
      throw new ProtocolException("\"more\" must be true or false");
    }
    return new Request(
        name.textValue(), sha.textValue(), offset, length, more != null && more.booleanValue());
  }
}
