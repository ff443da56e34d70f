package p2psync.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2psync.common.delta.DeltaRequest;
import p2psync.common.v2.Sha256;
import p2psync.common.v2.V2Codec;

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

  /**
   * A message from a peer: {@code port} is null when absent (such a message gets no reply); {@code
   * version} is 2 when it says {@code "v": 2}, else 1. Entries carry size and hash only in a v2
   * message: in any other, those fields are ignored as a seed tracker ignores them.
   */
  public record PeerMessage(
      Integer port,
      List<FileEntry> files,
      List<String> rejectedNames,
      int version,
      DeltaRequest delta,
      ListChanges changes) {
    /** What the message says about directory deltas, only when it says {@code "v": 2}. */
    public DeltaRequest deltaRequest() {
      return version == 2 ? delta : null;
    }

    public boolean hasFiles() {
      return files != null;
    }

    /** An incremental advertisement: only in a v2 message without {@code files}. */
    public boolean hasChanges() {
      return changes != null;
    }
  }

  /**
   * A v2 incremental advertisement (docs/protocol-v2.md, "Incremental advertisement"): what changed
   * in the peer's list since its last advertisement on this connection. The peer's list is then the
   * last one less {@code removed}, with each of {@code changed} in place of its name's entry.
   *
   * @param changed new or changed entries, as {@code files} would list them
   * @param removed names no longer listed (including a listed name whose entry could not be taken,
   *     such as a tombstone without a hash: as in {@code files}, it is then no claim)
   */
  public record ListChanges(List<FileEntry> changed, List<String> removed) {}

  /** {@code {"port": P, "files": [{"name": N, "mtime": M}, ...]}\n} */
  public static String encodeInit(int port, List<FileEntry> files) {
    return encodeInit("{\"port\": " + port + ", \"files\": [", files, false);
  }

  /**
   * An Init from its opening ({@code head}, up to the files array's {@code [}): the one writer of
   * file lists. With {@code hashes}, entries that have them also get v2's {@code size} and {@code
   * sha256}, after the seed fields, and tombstones {@code "deleted": true}; without, tombstones are
   * left out.
   */
  public static String encodeInit(String head, List<FileEntry> files, boolean hashes) {
    StringBuilder out = new StringBuilder(head.length() + files.size() * (hashes ? 140 : 48));
    out.append(head);
    appendEntries(out, files, hashes);
    return out.append("]}\n").toString();
  }

  /**
   * The entries of a file list, comma-separated, without the brackets: see {@link
   * #encodeInit(String, List, boolean)}.
   */
  public static void appendEntries(StringBuilder out, List<FileEntry> files, boolean hashes) {
    boolean first = true;
    for (FileEntry file : files) {
      if (file.deleted() && !hashes) {
        continue; // a tombstone is v2: a seed party would read it as a file this peer holds
      }
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append("{\"name\": ");
      PythonJson.appendString(out, file.name());
      out.append(", \"mtime\": ").append(file.mtime());
      if (hashes && file.hasHash()) {
        out.append(", \"size\": ").append(file.size());
        out.append(", \"sha256\": \"").append(file.sha256()).append('"');
        if (file.deleted()) {
          out.append(", \"deleted\": true");
        }
      }
      out.append('}');
    }
  }

  /** {@code {"port": P}\n} */
  public static String encodeKeepAlive(int port) {
    return "{\"port\": " + port + "}\n";
  }

  /**
   * Reads one peer message. Entries with names that may not be synced are left out and listed in
   * {@link PeerMessage#rejectedNames()}; anything malformed fails the whole message.
   *
   * <p>Streams through Jackson's {@link JsonParser} instead of building a tree: a tracker decodes
   * thousands of 1,000-entry Inits in a join storm, and the tree cost several times the parse. A
   * message that repeats a key (legal JSON no sane peer sends) takes the tree path, whose
   * last-key-wins is Python's {@code json.loads} rule.
   */
  public static PeerMessage decodePeerMessage(Buffer line) throws ProtocolException {
    ByteBuf bytes = ((BufferInternal) line).getByteBuf();
    try (JsonParser parser = createParser(bytes)) {
      return new PeerMessageReader(parser).read();
    } catch (RepeatedKey e) {
      return decodePeerMessageTree(decodeUtf8(line));
    } catch (JsonProcessingException e) {
      throw new ProtocolException("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ProtocolException("invalid JSON: " + e.getMessage());
    }
  }

  /**
   * A parser over the line. Pure ASCII (what peers send, names being escaped as Python does) is
   * read in place as bytes; anything else is decoded strictly first, since Jackson lets some
   * invalid UTF-8 (overlong forms, encoded surrogates) through.
   */
  private static JsonParser createParser(ByteBuf bytes) throws IOException, ProtocolException {
    int from = bytes.readerIndex();
    int length = bytes.readableBytes();
    if (bytes.hasArray() && isAscii(bytes.array(), bytes.arrayOffset() + from, length)) {
      return MAPPER.getFactory().createParser(bytes.array(), bytes.arrayOffset() + from, length);
    }
    CharBuffer text = decodeUtf8Chars(bytes.nioBuffer());
    return MAPPER.getFactory().createParser(text.array(), text.arrayOffset(), text.remaining());
  }

  private static boolean isAscii(byte[] bytes, int from, int length) {
    for (int i = from, end = from + length; i < end; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /** A key seen twice in one object: the streaming reader hands over to the tree reader. */
  private static final class RepeatedKey extends RuntimeException {
    RepeatedKey() {
      super(null, null, false, false);
    }
  }

  /**
   * One message, token by token, with the tree reader's checks and messages. The whole line is
   * always read: a syntax error anywhere, or a repeated key, decides before a field's error does.
   */
  private static final class PeerMessageReader {
    private final JsonParser parser;
    private String error;

    /** The first error in {@code changed} or {@code removed}, and whether they are being read. */
    private String changesError;

    private boolean readingChanges;

    /** Names listed in {@code changed} whose entry could not be taken (see {@link #addEntry}). */
    private final List<String> dropped = new ArrayList<>();

    PeerMessageReader(JsonParser parser) {
      this.parser = parser;
    }

    PeerMessage read() throws IOException, ProtocolException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        parser.skipChildren();
        if (parser.nextToken() != null) {
          throw new ProtocolException("invalid JSON: extra data after the value");
        }
        throw new ProtocolException("expected a JSON object");
      }
      Integer port = null;
      boolean portSeen = false;
      boolean filesSeen = false;
      boolean versionSeen = false;
      boolean deltaSeen = false;
      DeltaRequest delta = null;
      int version = 1;
      List<FileEntry> files = null;
      List<String> rejected = List.of();
      boolean changedSeen = false;
      boolean removedSeen = false;
      List<FileEntry> changed = null;
      List<String> changedRejected = new ArrayList<>();
      List<String> removed = null;
      boolean changesGiven = false;
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_OBJECT;
          token = parser.nextToken()) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("port".equals(field)) {
          portSeen = once(portSeen);
          long number = readLong(value, "port", 1, 65_535);
          port = (int) number;
        } else if ("files".equals(field)) {
          filesSeen = once(filesSeen);
          if (value == JsonToken.START_ARRAY) {
            files = new ArrayList<>();
            rejected = new ArrayList<>();
            readFiles(files, rejected);
          } else if (value != JsonToken.VALUE_NULL) {
            fail("\"files\" must be an array");
            parser.skipChildren();
          }
        } else if ("v".equals(field)) {
          versionSeen = once(versionSeen);
          version = value == JsonToken.VALUE_NUMBER_INT && parser.getText().equals("2") ? 2 : 1;
          parser.skipChildren();
        } else if ("delta".equals(field)) {
          deltaSeen = once(deltaSeen);
          delta = DeltaRequest.read(parser);
        } else if ("changed".equals(field)) {
          changedSeen = once(changedSeen);
          changesGiven |= value != JsonToken.VALUE_NULL;
          // Its errors count only if the message turns out to be an incremental one ("v" may come
          // later): to anyone else the key is unknown, and ignored as a seed tracker ignores it.
          readingChanges = true;
          if (value == JsonToken.START_ARRAY) {
            changed = new ArrayList<>();
            readFiles(changed, changedRejected);
          } else if (value != JsonToken.VALUE_NULL) {
            fail("\"changed\" must be an array");
            parser.skipChildren();
          }
          readingChanges = false;
        } else if ("removed".equals(field)) {
          removedSeen = once(removedSeen);
          changesGiven |= value != JsonToken.VALUE_NULL;
          readingChanges = true;
          if (value == JsonToken.START_ARRAY) {
            removed = new ArrayList<>();
            for (JsonToken t = parser.nextToken();
                t != JsonToken.END_ARRAY;
                t = parser.nextToken()) {
              if (t == JsonToken.VALUE_STRING) {
                removed.add(parser.getText());
              } else {
                fail("\"removed\" must list names (strings)");
                parser.skipChildren();
              }
            }
          } else if (value != JsonToken.VALUE_NULL) {
            fail("\"removed\" must be an array");
            parser.skipChildren();
          }
          readingChanges = false;
        } else {
          parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw new ProtocolException("invalid JSON: extra data after the object");
      }
      if (error != null) {
        throw new ProtocolException(error);
      }
      if (version == 2 && files == null && changesGiven) {
        if (changesError != null) {
          throw new ProtocolException(changesError);
        }
        return new PeerMessage(
            port, null, changedRejected, version, delta, listChanges(changed, removed, dropped));
      }
      return new PeerMessage(
          port, v2Only(files, version), files == null ? List.of() : rejected, version, delta, null);
    }

    private void readFiles(List<FileEntry> files, List<String> rejected) throws IOException {
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_ARRAY;
          token = parser.nextToken()) {
        if (token != JsonToken.START_OBJECT) {
          fail("each file must be an object");
          parser.skipChildren();
          continue;
        }
        String name = null;
        boolean nameSeen = false;
        boolean mtimeSeen = false;
        long mtime = 0;
        long size = -1;
        String sha256 = null;
        boolean deleted = false;
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String field = parser.currentName();
          JsonToken value = parser.nextToken();
          if ("name".equals(field)) {
            nameSeen = once(nameSeen);
            name = value == JsonToken.VALUE_STRING ? parser.getText() : null;
            parser.skipChildren();
          } else if ("mtime".equals(field)) {
            mtimeSeen = once(mtimeSeen);
            mtime = readMtime(value);
          } else if ("size".equals(field)) {
            // v2 fields are read leniently: a bad one makes a seed entry, never a failed message
            size =
                value == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    ? parser.getLongValue()
                    : -1;
            parser.skipChildren();
          } else if ("sha256".equals(field)) {
            sha256 = value == JsonToken.VALUE_STRING ? parser.getText() : null;
            parser.skipChildren();
          } else if ("deleted".equals(field)) {
            deleted = value == JsonToken.VALUE_TRUE;
            parser.skipChildren();
          } else {
            parser.skipChildren();
          }
        }
        if (name == null) {
          fail("\"name\" must be a string");
        } else if (!mtimeSeen) {
          fail("\"mtime\" must be an integer");
        } else if (FileNames.isSyncable(name)) {
          if (!addEntry(files, name, mtime, size, sha256, deleted) && readingChanges) {
            dropped.add(name);
          }
        } else {
          rejected.add(name);
        }
      }
    }

    private long readMtime(JsonToken value) throws IOException {
      if (value == JsonToken.VALUE_NUMBER_FLOAT) {
        double mtime = parser.getDoubleValue();
        if (Double.isFinite(mtime) && mtime >= MIN_MTIME && mtime <= MAX_MTIME) {
          return (long) mtime;
        }
      }
      return readLong(value, "mtime", MIN_MTIME, MAX_MTIME);
    }

    /** The number, or 0 after recording why it is not one in range. */
    private long readLong(JsonToken value, String field, long min, long max) throws IOException {
      if (value != JsonToken.VALUE_NUMBER_INT
          || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        fail("\"" + field + "\" must be an integer");
        parser.skipChildren();
        return 0;
      }
      long number = parser.getLongValue();
      if (number < min || number > max) {
        fail("\"" + field + "\" out of range: " + number);
        return 0;
      }
      return number;
    }

    private static boolean once(boolean seen) {
      if (seen) {
        throw new RepeatedKey();
      }
      return true;
    }

    private void fail(String reason) {
      if (readingChanges) {
        if (changesError == null) {
          changesError = reason;
        }
      } else if (error == null) {
        error = reason;
      }
    }
  }

  /**
   * The changes as the tracker applies them: {@code removed} (syncable names only: no other is ever
   * claimed), then every name of {@code changed}, where a name whose entry could not be taken (a
   * tombstone without a hash: {@link #addEntry}) is removed too, as leaving it out of {@code files}
   * would withdraw it.
   */
  private static ListChanges listChanges(
      List<FileEntry> changed, List<String> removed, List<String> dropped) {
    List<String> gone = new ArrayList<>();
    if (removed != null) {
      for (String name : removed) {
        if (FileNames.isSyncable(name)) {
          gone.add(name);
        }
      }
    }
    gone.addAll(dropped);
    return new ListChanges(changed == null ? List.of() : changed, gone);
  }

  /** The tree reader alone; tests hold the streaming reader to it. */
  static PeerMessage decodePeerMessageWithTree(Buffer line) throws ProtocolException {
    return decodePeerMessageTree(decodeUtf8(line));
  }

  /** The tree reader, for messages that repeat a key: the last one wins, as in Python. */
  private static PeerMessage decodePeerMessageTree(String text) throws ProtocolException {
    ObjectNode root = parseObject(text);
    Integer port = null;
    JsonNode versionNode = root.get("v");
    int version =
        versionNode != null && versionNode.isIntegralNumber() && versionNode.asText().equals("2")
            ? 2
            : 1;
    JsonNode portNode = root.get("port");
    if (portNode != null) {
      port = (int) requireLong(portNode, "port", 1, 65_535);
    }
    JsonNode deltaNode = root.get("delta");
    DeltaRequest delta = deltaNode == null ? null : DeltaRequest.read(deltaNode);
    JsonNode filesNode = root.get("files");
    JsonNode changedNode = root.get("changed");
    JsonNode removedNode = root.get("removed");
    boolean hasFiles = filesNode != null && !filesNode.isNull();
    if (version == 2
        && !hasFiles
        && (changedNode != null && !changedNode.isNull()
            || removedNode != null && !removedNode.isNull())) {
      List<FileEntry> changed = null;
      List<String> rejected = new ArrayList<>();
      List<String> dropped = new ArrayList<>();
      if (changedNode != null && !changedNode.isNull()) {
        changed = new ArrayList<>();
        readFileNodes(changedNode, "changed", changed, rejected, dropped);
      }
      List<String> removed = null;
      if (removedNode != null && !removedNode.isNull()) {
        if (!removedNode.isArray()) {
          throw new ProtocolException("\"removed\" must be an array");
        }
        removed = new ArrayList<>();
        for (JsonNode name : removedNode) {
          if (!name.isTextual()) {
            throw new ProtocolException("\"removed\" must list names (strings)");
          }
          removed.add(name.textValue());
        }
      }
      return new PeerMessage(
          port, null, rejected, version, delta, listChanges(changed, removed, dropped));
    }
    if (!hasFiles) {
      return new PeerMessage(port, null, List.of(), version, delta, null);
    }
    List<FileEntry> files = new ArrayList<>(filesNode.size());
    List<String> rejected = new ArrayList<>();
    readFileNodes(filesNode, "files", files, rejected, new ArrayList<>());
    return new PeerMessage(port, v2Only(files, version), rejected, version, delta, null);
  }

  /** The tree reader's file list ({@code files} or {@code changed}). */
  private static void readFileNodes(
      JsonNode list, String key, List<FileEntry> files, List<String> rejected, List<String> dropped)
      throws ProtocolException {
    if (!list.isArray()) {
      throw new ProtocolException("\"" + key + "\" must be an array");
    }
    for (JsonNode entry : list) {
      if (!entry.isObject()) {
        throw new ProtocolException("each file must be an object");
      }
      String name = requireText(entry.get("name"), "name");
      long mtime = requireMtime(entry.get("mtime"));
      if (FileNames.isSyncable(name)) {
        JsonNode size = entry.get("size");
        JsonNode sha256 = entry.get("sha256");
        JsonNode deleted = entry.get("deleted");
        boolean added =
            addEntry(
                files,
                name,
                mtime,
                size != null && size.isIntegralNumber() && size.canConvertToLong()
                    ? size.longValue()
                    : -1,
                sha256 == null ? null : sha256.textValue(),
                deleted != null && deleted.isBoolean() && deleted.booleanValue());
        if (!added) {
          dropped.add(name);
        }
      } else {
        rejected.add(name);
      }
    }
  }

  /**
   * Adds a file entry, with v2's size and hash when both are well-formed. A tombstone without them
   * is left out: read as a seed entry it would claim the very file it says is gone. (Outside a v2
   * message, {@link #v2Only} makes every entry a seed entry again, tombstones included, so a seed
   * message is read as ever.) Whether the entry was taken.
   */
  private static boolean addEntry(
      List<FileEntry> files, String name, long mtime, long size, String sha256, boolean deleted) {
    if (size >= 0 && Sha256.isHex(sha256)) {
      files.add(new FileEntry(name, mtime, size, sha256, deleted));
    } else if (!deleted) {
      files.add(new FileEntry(name, mtime));
    } else {
      return false;
    }
    return true;
  }

  /** The entries as a seed tracker reads them, unless the message said {@code "v": 2}. */
  private static List<FileEntry> v2Only(List<FileEntry> files, int version) {
    if (files == null || version == 2 || files.stream().noneMatch(FileEntry::hasHash)) {
      return files;
    }
    List<FileEntry> seed = new ArrayList<>(files.size());
    files.forEach(f -> seed.add(new FileEntry(f.name(), f.mtime())));
    return seed;
  }

  // ---- tracker -> peer ----------------------------------------------------------------------

  /** {@code {"name": {"ip": I, "port": P, "mtime": M}, ...}\n}, in the map's order. */
  public static String encodeDirectory(Map<String, DirectoryEntry> directory) {
    List<byte[]> members = new ArrayList<>(directory.size());
    directory.forEach(
        (name, entry) ->
            members.add(encodeDirectoryMember(name, entry.ip(), entry.port(), entry.mtime())));
    return directoryLine(members).toString(StandardCharsets.US_ASCII);
  }

  /**
   * One member of a directory line, {@code "name": {"ip": I, "port": P, "mtime": M}}, as the ASCII
   * bytes Python writes. A tracker keeps these per name and rebuilds only the ones that changed.
   */
  public static byte[] encodeDirectoryMember(String name, String ip, int port, long mtime) {
    StringBuilder out = new StringBuilder(name.length() + ip.length() + 48);
    PythonJson.appendString(out, name);
    out.append(": {\"ip\": ");
    PythonJson.appendString(out, ip);
    out.append(", \"port\": ").append(port);
    out.append(", \"mtime\": ").append(mtime).append('}');
    return out.toString()
        .getBytes(StandardCharsets.US_ASCII); // ensure_ascii: only ASCII is written
  }

  /** The directory line, {@code \n} included, from members in line order, as a heap buffer. */
  public static Buffer directoryLine(Collection<byte[]> members) {
    ByteBuf line = Unpooled.buffer(directoryLineSize(members));
    writeDirectoryLine(line, members);
    return BufferInternal.buffer(line);
  }

  /** The size in bytes of the line {@link #writeDirectoryLine} writes. */
  public static int directoryLineSize(Collection<byte[]> members) {
    int size = 3 + Math.max(0, members.size() - 1) * 2;
    for (byte[] member : members) {
      size += member.length;
    }
    return size;
  }

  /**
   * Writes the directory line, {@code \n} included, from members in line order: the one encoder of
   * it, into any buffer (a tracker writes it once, off the heap, and sends that to every peer).
   */
  public static void writeDirectoryLine(ByteBuf out, Collection<byte[]> members) {
    out.writeByte('{');
    boolean first = true;
    for (byte[] member : members) {
      if (!first) {
        out.writeByte(',').writeByte(' ');
      }
      first = false;
      out.writeBytes(member);
    }
    out.writeByte('}').writeByte('\n');
  }

  /** A directory line: its usable entries, and the names (or reasons) of the entries left out. */
  public record Directory(Map<String, DirectoryEntry> entries, List<String> rejected) {}

  /**
   * Reads a directory line. An entry we must not act on (unsafe name, bad address) is left out and
   * reported, so one bad entry does not stop the rest from syncing; a line that is not a JSON
   * object fails as a whole.
   */
  public static Directory decodeDirectory(Buffer line) throws ProtocolException {
    ObjectNode root = parseObject(decodeUtf8(line));
    Map<String, DirectoryEntry> entries = new LinkedHashMap<>();
    List<String> rejected = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (name.isEmpty() && field.getValue().has("v")) {
        continue; // a v2 tracker's mark (V2Codec.LINE_MARK), not a file
      }
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

  /** One directory entry (a member's value); a v2 entry has its v2 part. */
  public static DirectoryEntry decodeDirectoryEntry(JsonNode node) throws ProtocolException {
    if (!node.isObject()) {
      throw new ProtocolException("entry is not an object");
    }
    String ip = requireText(node.get("ip"), "ip");
    int port = (int) requireLong(node.get("port"), "port", 1, 65_535);
    return new DirectoryEntry(ip, port, requireMtime(node.get("mtime")), V2Codec.decodeEntry(node));
  }

  // ---- shared -------------------------------------------------------------------------------

  /** Decodes strict UTF-8: malformed bytes are an error, not replacement characters. */
  public static String decodeUtf8(Buffer bytes) throws ProtocolException {
    // nioBuffer() reads the buffer's bytes in place: no copy of a line that may be megabytes long.
    return decodeUtf8Chars(((BufferInternal) bytes).getByteBuf().nioBuffer()).toString();
  }

  private static CharBuffer decodeUtf8Chars(ByteBuffer bytes) throws ProtocolException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
    } catch (CharacterCodingException e) {
      throw new ProtocolException("line is not valid UTF-8");
    }
  }

  /**
   * One JSON object, strictly (nothing after it), or a {@link ProtocolException} saying why not.
   */
  public static ObjectNode parseObject(String text) throws ProtocolException {
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

  /** An integer field within {@code [min, max]}, or a {@link ProtocolException} naming it. */
  public static long requireLong(JsonNode node, String field, long min, long max)
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
  public static long requireMtime(JsonNode node) throws ProtocolException {
    if (node != null && node.isFloatingPointNumber()) {
      double value = node.doubleValue();
      if (Double.isFinite(value) && value >= MIN_MTIME && value <= MAX_MTIME) {
        return (long) value;
      }
    }
    return requireLong(node, "mtime", MIN_MTIME, MAX_MTIME);
  }
}
