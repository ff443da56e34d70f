package p2psync.common;

/**
 * Writes JSON exactly as Python's {@code json.dumps} does with its defaults ({@code ", "} and
 * {@code ": "} separators, {@code ensure_ascii=True} with lower-case {@code \\uXXXX} escapes), so
 * that our lines are byte-for-byte those of the course's programs. Hand-written because Jackson
 * escapes with upper-case hex and has no switch for Python's separators in compact output.
 */
public final class PythonJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PythonJson() {}

  public static void appendString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            out.append(c);
          } else {
            // Python escapes every UTF-16 unit outside printable ASCII, surrogates one by one.
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          }
        }
      }
    }
    out.append('"');
  }
}
