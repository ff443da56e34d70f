package p2psync.conform;

import java.util.ArrayList;
import java.util.List;

/**
 * What one case sent and what came back, in order, clipped so a 10,000-name Init stays readable.
 */
public final class Transcript {
  private static final int CLIP = 300;

  /** Lines kept per direction: a 200-peer case would otherwise bury the report. */
  private static final int MAX_LINES = 24;

  private final List<String> sent = new ArrayList<>();
  private final List<String> received = new ArrayList<>();

  static String clip(String text) {
    String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (line.length() <= CLIP) {
      return line;
    }
    return line.substring(0, CLIP) + "... (" + line.length() + " characters)";
  }

  synchronized void sent(String who, String text) {
    add(sent, who + ": " + clip(text));
  }

  synchronized void received(String who, WirePeer.Read read) {
    add(received, who + ": " + read);
  }

  /** Something the program under test sent or did, already put in words. */
  synchronized void received(String who, String text) {
    add(received, who + ": " + clip(text));
  }

  private static void add(List<String> lines, String line) {
    if (lines.size() < MAX_LINES) {
      lines.add(line);
    } else if (lines.size() == MAX_LINES) {
      lines.add("... (more left out)");
    }
  }

  synchronized List<String> sent() {
    return List.copyOf(sent);
  }

  synchronized List<String> received() {
    return List.copyOf(received);
  }
}
