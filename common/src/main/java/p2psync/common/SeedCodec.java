package p2psync.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed protocol's tracker wire: newline-delimited UTF-8 JSON. Writes what the course's Python
 * programs write, byte for byte, and reads strictly: every problem is a {@link ProtocolException}
 * whose message can be logged as is. Framing (finding the {@code \n}) is the caller's, through
 * {@code RecordParser}; these methods take one line without its delimiter.
 */
public final class SeedCodec {
  // Python's json.loads rejects "Extra data" after the value; Jackson ignores it unless told.
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** 0001-01-01T00:00:00Z: no file system dates a file earlier. */
  public static final long MIN_MTIME = -62_135_596_800L;
  /** 9999-12-31T23:59:59Z: an mtime beyond is a lie, and would overflow milliseconds elsewhere. */
  public static final long MAX_MTIME = 253_402_300_799L;

  private SeedCodec() {}

  // ---- peer -> tracker ----------------------------------------------------------------------

  /** A message from a peer: {@code port} is null when absent (such a message gets no reply). */
  public record PeerMessage(Integer port, List<FileEntry> files, List<String> rejectedNames) {
    public boolean hasFiles() {
      return files != null;
    }
  }

  /** {@code {"port": P, "files": [{"name": N, "mtime": M}, ...]}\n} */
  public static String encodeInit(int port, List<FileEntry> files) {
    StringBuilder out = new StringBuilder(32 + files.size() * 48);
    out.append("{\"port\": ").append(port).append(", \"files\": [");
    for (int i = 0; i < files.size(); i++) {
      FileEntry file = files.get(i);
      if (i > 0) {
        out.append(", ");
      }
      out.append("{\"name\": ");
      PythonJson.appendString(out, file.name());
      out.append(", \"mtime\": ").append(file.mtime()).append('}');
    }
    return out.append("]}\n").toString();
  }

  /** {@code {"port": P}\n} */
  public static String encodeKeepAlive(int port) {
    return "{\"port\": " + port + "}\n";
  }

  /**
   * Reads one peer message. Entries with names that may not be synced are left out and listed in
   * {@link PeerMessage#rejectedNames()}; anything malformed fails the whole message.
   */
  public static PeerMessage decodePeerMessage(Buffer line) throws ProtocolException {
    ObjectNode root = parseObject(line);
    Integer port = null;
    JsonNode portNode = root.get("port");
    if (portNode != null) {
      port = (int) requireLong(portNode, "port", 1, 65_535);
    }
    JsonNode filesNode = root.get("files");
    if (filesNode == null || filesNode.isNull()) {
      return new PeerMessage(port, null, List.of());
    }
    if (!filesNode.isArray()) {
      throw new ProtocolException("\"files\" must be an array");
    }
    List<FileEntry> files = new ArrayList<>(filesNode.size());
    List<String> rejected = new ArrayList<>();
    for (JsonNode entry : filesNode) {
      if (!entry.isObject()) {
        throw new ProtocolException("each file must be an object");
      }
      String name = requireText(entry.get("name"), "name");
      long mtime = requireMtime(entry.get("mtime"));
      if (FileNames.isSyncable(name)) {
        files.add(new FileEntry(name, mtime));
      } else {
        rejected.add(name);
      }
    }
    return new PeerMessage(port, files, rejected);
  }

  // ---- tracker -> peer ----------------------------------------------------------------------

  /** {@code {"name": {"ip": I, "port": P, "mtime": M}, ...}\n}, in the map's order. */
  public static String encodeDirectory(Map<String, DirectoryEntry> directory) {
    StringBuilder out = new StringBuilder(2 + directory.size() * 64);
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, DirectoryEntry> e : directory.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      appendDirectoryEntry(out, e.getKey(), e.getValue());
    }
    return out.append("}\n").toString();
  }

  /** Appends {@code "name": {"ip": I, "port": P, "mtime": M}}. */
  public static void appendDirectoryEntry(StringBuilder out, String name, DirectoryEntry entry) {
    PythonJson.appendString(out, name);
    out.append(": {\"ip\": ");
    PythonJson.appendString(out, entry.ip());
    out.append(", \"port\": ").append(entry.port());
    out.append(", \"mtime\": ").append(entry.mtime()).append('}');
  }

  /** A directory line: its usable entries, and the names (or reasons) of the entries left out. */
  public record Directory(Map<String, DirectoryEntry> entries, List<String> rejected) {}

  /**
   * Reads a directory line. An entry we must not act on (unsafe name, bad address) is left out and
   * reported, so one bad entry does not stop the rest from syncing; a line that is not a JSON object
   * fails as a whole.
   */
  public static Directory decodeDirectory(Buffer line) throws ProtocolException {
    ObjectNode root = parseObject(line);
    Map<String, DirectoryEntry> entries = new LinkedHashMap<>();
    List<String> rejected = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      String reason = FileNames.rejectionReason(name);
      if (reason == null) {
        try {
          entries.put(name, decodeDirectoryEntry(field.getValue()));
          continue;
        } catch (ProtocolException e) {
          reason = e.getMessage();
        }
      }
      rejected.add(name + " (" + reason + ")");
    }
    return new Directory(entries, rejected);
  }

  private static DirectoryEntry decodeDirectoryEntry(JsonNode node) throws ProtocolException {
    if (!node.isObject()) {
      throw new ProtocolException("entry is not an object");
    }
    String ip = requireText(node.get("ip"), "ip");
    int port = (int) requireLong(node.get("port"), "port", 1, 65_535);
    return new DirectoryEntry(ip, port, requireMtime(node.get("mtime")));
  }

  // ---- shared -------------------------------------------------------------------------------

  /** Decodes strict UTF-8: malformed bytes are an error, not replacement characters. */
  public static String decodeUtf8(Buffer bytes) throws ProtocolException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException("line is not valid UTF-8");
    }
  }

  private static ObjectNode parseObject(Buffer line) throws ProtocolException {
    String text = decodeUtf8(line);
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ProtocolException("invalid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ProtocolException("expected a JSON object");
    }
    return (ObjectNode) root;
  }

  private static String requireText(JsonNode node, String field) throws ProtocolException {
    if (node == null || !node.isTextual()) {
      throw new ProtocolException("\"" + field + "\" must be a string");
    }
    return node.textValue();
  }

  private static long requireLong(JsonNode node, String field, long min, long max)
      throws ProtocolException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new ProtocolException("\"" + field + "\" must be an integer");
    }
    long value = node.longValue();
    if (value < min || value > max) {
      throw new ProtocolException("\"" + field + "\" out of range: " + value);
    }
    return value;
  }

  /**
   * An mtime in whole seconds between years 1 and 9999 (what file systems and {@code FileTime} can
   * hold); a fractional one is truncated, as Python's int() does.
   */
  private static long requireMtime(JsonNode node) throws ProtocolException {
    if (node != null && node.isFloatingPointNumber()) {
      double value = node.doubleValue();
      if (Double.isFinite(value) && value >= MIN_MTIME && value <= MAX_MTIME) {
        return (long) value;
      }
    }
    return requireLong(node, "mtime", MIN_MTIME, MAX_MTIME);
  }
}
