package p2psync.common.delta;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import p2psync.common.DirectoryEntry;
import p2psync.common.ProtocolException;
import p2psync.common.PythonJson;
import p2psync.common.SeedCodec;
import p2psync.common.v2.Sha256;
import p2psync.common.v2.V2Entry;

/**
 * A member of a versioned line in its compact form (docs/protocol-v2.md, "Directory deltas and
 * push"): the same facts as a member of the v2 line in about half the bytes, because every change
 * is pushed to every delta peer and the member is what a push mostly is.
 *
 * <ul>
 *   <li>a version: {@code "name": [mtime, size, "sha256", ["ip:port", ...]]}, with {@code , true}
 *       after the sources for a tombstone; the SHA-256 in unpadded base64url (43 characters for 64
 *       hex digits); the first source is the holder the v2 line names (it is put first when the v2
 *       line's subset of sources leaves it out);
 *   <li>only seed holders of the newest mtime: {@code "name": [mtime, "ip:port"]}, the seed member.
 * </ul>
 *
 * An address is {@code ip:port}, split at its last colon (so an IPv6 address needs no brackets).
 */
public final class CompactMember {
  private static final HexFormat HEX = HexFormat.of();

  private CompactMember() {}

  /** {@code "name": [mtime, "ip:port"]}: a name no holder of the newest mtime hashed. */
  public static byte[] encodeSeed(String name, String ip, int port, long mtime) {
    StringBuilder out = new StringBuilder(name.length() + 40);
    PythonJson.appendString(out, name);
    out.append(": [").append(mtime).append(", ");
    appendAddress(out, ip, port);
    return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code "name": [mtime, size, "sha256", ["ip:port", ...](, true)]}; {@code sources} as the v2
   * line lists them, {@code ip}/{@code port} the holder it names.
   */
  public static byte[] encode(
      String name,
      String ip,
      int port,
      long mtime,
      long size,
      String sha256,
      boolean deleted,
      List<V2Entry.Source> sources) {
    StringBuilder out = new StringBuilder(name.length() + 80 + 20 * sources.size());
    PythonJson.appendString(out, name);
    out.append(": [").append(mtime).append(", ").append(size).append(", \"");
    out.append(sha256ToBase64(sha256)).append("\", [");
    boolean namedFirst =
        !sources.isEmpty() && sources.get(0).ip().equals(ip) && sources.get(0).port() == port;
    if (!namedFirst) {
      appendAddress(out, ip, port);
    }
    for (int i = 0; i < sources.size(); i++) {
      if (i > 0 || !namedFirst) {
        out.append(", ");
      }
      appendAddress(out, sources.get(i).ip(), sources.get(i).port());
    }
    out.append(']');
    if (deleted) {
      out.append(", true");
    }
    return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The entry a compact member's value says, or why it is not one. */
  public static DirectoryEntry decode(JsonNode value) throws ProtocolException {
    if (!value.isArray() || value.size() < 2) {
      throw new ProtocolException("a member is an array of at least 2 values");
    }
    long mtime = SeedCodec.requireMtime(value.get(0));
    if (value.size() == 2) {
      V2Entry.Source holder = address(value.get(1));
      return new DirectoryEntry(holder.ip(), holder.port(), mtime);
    }
    if (value.size() > 5) {
      throw new ProtocolException("a member has at most 5 values");
    }
    long size = SeedCodec.requireLong(value.get(1), "size", 0, Long.MAX_VALUE);
    String sha256 = sha256FromBase64(value.get(2).textValue());
    JsonNode list = value.get(3);
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ProtocolException("the sources are a non-empty array");
    }
    List<V2Entry.Source> sources = new ArrayList<>(list.size());
    for (JsonNode source : list) {
      sources.add(address(source));
    }
    boolean deleted = false;
    if (value.size() == 5) {
      if (!value.get(4).isBoolean()) {
        throw new ProtocolException("a member's fifth value is true or false");
      }
      deleted = value.get(4).booleanValue();
    }
    V2Entry.Source named = sources.get(0);
    return new DirectoryEntry(
        named.ip(), named.port(), mtime, new V2Entry(size, sha256, sources, deleted));
  }

  /** 64 hex digits as 43 characters of unpadded base64url. */
  public static String sha256ToBase64(String hex) {
    return Base64Url.encode(HEX.parseHex(hex));
  }

  /** The inverse of {@link #sha256ToBase64}, strictly: one text per hash. */
  static String sha256FromBase64(String text) throws ProtocolException {
    byte[] bytes = Base64Url.decode(text, 32);
    if (bytes == null) {
      throw new ProtocolException("a SHA-256 is 43 characters of base64url");
    }
    return Sha256.hex(bytes);
  }

  private static void appendAddress(StringBuilder out, String ip, int port) {
    PythonJson.appendString(out, ip + ":" + port);
  }

  private static V2Entry.Source address(JsonNode node) throws ProtocolException {
    String text = node == null ? null : node.textValue();
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon < 1 || colon == text.length() - 1 || text.length() - colon > 6) {
      throw new ProtocolException("an address is \"ip:port\"");
    }
    int port = 0;
    for (int i = colon + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new ProtocolException("an address is \"ip:port\"");
      }
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65_535) {
      throw new ProtocolException("port out of range: " + port);
    }
    return new V2Entry.Source(text.substring(0, colon), port);
  }
}
