package p2psync.simulation;

/**
 * What every self-contained report page shares (the simulation's and the conformance kit's): the
 * head with its inline style, key/value rows, and escaping. No script, no outside resource.
 */
public final class HtmlPage {
  private static final String STYLE =
      "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
          + ".cell{display:inline-block;width:1em;height:1em}td.cell{display:table-cell;"
          + "min-width:1.2em}.current{background:#2e9d4f}.older{background:#e0a020}"
          + ".missing{background:#c94040;opacity:.55}"
          + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}"
          + "td{overflow-wrap:anywhere}"
          + ".ok{color:#2a7a2a}.bad{color:#b00020}.na{color:#777}svg text{font-size:11px}"
          + "pre{margin:0;white-space:pre-wrap;font-size:90%}details summary{cursor:pointer}";

  private HtmlPage() {}

  /** A page's start up to and including {@code <body>}; {@code title} is escaped. */
  public static StringBuilder open(String title) {
    return new StringBuilder()
        .append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n");
  }

  /** Ends the page and returns it. */
  public static String close(StringBuilder html) {
    return html.append("</body></html>\n").toString();
  }

  /** A {@code <tr>} of a key and its value, both escaped. */
  public static void row(StringBuilder html, String key, String value) {
    html.append("<tr><th>")
        .append(escape(key))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  public static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
