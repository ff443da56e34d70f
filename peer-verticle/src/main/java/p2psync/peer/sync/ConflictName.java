package p2psync.peer.sync;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import p2psync.common.FileNames;

/**
 * Syncthing's name for the losing side of a conflict: {@code
 * NAME.sync-conflict-YYYYMMDD-HHMMSS-PEER.EXT}, the time in UTC, PEER the id of the peer whose edit
 * lost. A name too long for the file system loses characters from its stem, never its extension.
 */
final class ConflictName {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private ConflictName() {}

  static String of(String name, Instant time, String peerId) {
    int dot = name.lastIndexOf('.');
    // a leading dot (".profile") starts the name, it is no extension
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    String marker = ".sync-conflict-" + TIME.format(time) + "-" + peerId;
    while (utf8(stem + marker + ext) > FileNames.MAX_NAME_BYTES && stem.length() > 1) {
      stem = stem.substring(0, stem.length() - 1);
      if (Character.isHighSurrogate(stem.charAt(stem.length() - 1))) {
        stem = stem.substring(0, stem.length() - 1);
      }
    }
    return stem + marker + ext;
  }

  /** Whether a name is a conflict copy (for tests and the checker). */
  static boolean isConflictCopy(String name) {
    return name.contains(".sync-conflict-");
  }

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
