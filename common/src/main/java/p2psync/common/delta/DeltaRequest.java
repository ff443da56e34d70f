package p2psync.common.delta;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * A v2 peer's {@code "delta"} (docs/protocol-v2.md, "Directory deltas and push"): it applies
 * deltas, the directory version it holds ({@link #holds()} false: none, send the whole directory),
 * and whether it wants changes pushed.
 *
 * @param epoch the directory history the version belongs to; 0 with version 0: none held
 * @param version the version held in that epoch; 0: none
 */
public record DeltaRequest(long epoch, long version, boolean push) {

  /** Whether the peer names a version it holds. */
  public boolean holds() {
    return epoch > 0 && version > 0;
  }

  /**
   * Reads the value of {@code "delta"} leniently: anything malformed means "no version held", so a
   * bad field costs a full directory, never a failed message.
   */
  public static DeltaRequest read(JsonNode node) {
    if (node == null || !node.isObject()) {
      return new DeltaRequest(0, 0, false);
    }
    boolean push = node.path("push").isBoolean() && node.get("push").booleanValue();
    long epoch = positive(node.get("epoch"));
    long version = positive(node.get("version"));
    return epoch > 0 && version > 0
        ? new DeltaRequest(epoch, version, push)
        : new DeltaRequest(0, 0, push);
  }

  /** {@link #read(JsonNode)} of the value the parser is at: a few bytes, the tree is cheap. */
  public static DeltaRequest read(JsonParser parser) throws IOException {
    return read((JsonNode) TREES.readTree(parser));
  }

  private static final ObjectMapper TREES = new ObjectMapper();

  private static long positive(JsonNode node) {
    return node != null
            && node.isIntegralNumber()
            && node.canConvertToLong()
            && node.longValue() > 0
        ? node.longValue()
        : 0;
  }

  /** {@code "delta": {...}}, to append after a message's {@code "v": 2}. */
  public String encodeField() {
    StringBuilder out = new StringBuilder(80).append("\"delta\": {");
    if (holds()) {
      out.append("\"epoch\": ").append(epoch).append(", \"version\": ").append(version);
    }
    if (push) {
      out.append(holds() ? ", " : "").append("\"push\": true");
    }
    return out.append('}').toString();
  }
}
