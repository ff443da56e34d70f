package p2psync.common;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one rule for which names a peer may advertise, serve, request or write: a plain name directly
 * in the synchronized folder. Used by the scanner, the file server, the downloader and the tracker.
 */
public final class FileNames {

  /**
   * Prefix of our in-progress download files; such names are never advertised, served or synced.
   */
  public static final String TEMP_PREFIX = ".p2psync-";

  /**
   * The folder's hidden state (v2's hash cache), a folder in the synchronized one. Its name starts
   * with {@link #TEMP_PREFIX}, a name that was never synced, so it takes no name from seed parties;
   * it is not a temp file, though (the start-up sweep spares it, checkers do not count it).
   */
  public static final String STATE_DIR = TEMP_PREFIX + "state";

  /** Suffix of our in-progress download files. */
  public static final String TEMP_SUFFIX = ".part";

  /** The seed protocol never syncs these (source and native libraries of the course programs). */
  public static final List<String> EXCLUDED_SUFFIXES = List.of(".py", ".dll", ".so");

  /** Most file systems cap a name at 255 bytes. */
  public static final int MAX_NAME_BYTES = 255;

  private FileNames() {}

  /** Whether {@code name} may be synchronized. */
  public static boolean isSyncable(String name) {
    return rejectionReason(name) == null;
  }

  /** Why {@code name} may not be synchronized, or {@code null} when it may. */
  public static String rejectionReason(String name) {
    if (name == null || name.isEmpty()) {
      return "empty name";
    }
    if (name.equals(".") || name.equals("..")) {
      return "not a file name";
    }
    // UTF-8 length counted along the way: a tracker checks millions of names in a join storm, and
    // getBytes() would encode (and allocate) each one only to measure it.
    int utf8Bytes = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\') {
        return "contains a path separator";
      }
      if (c < 0x20 || c == 0x7f) {
        return "contains a control character";
      }
      if (Character.isSurrogate(c)) {
        if (!(Character.isHighSurrogate(c)
            && i + 1 < name.length()
            && Character.isLowSurrogate(name.charAt(++i)))) {
          return "is not valid Unicode";
        }
        utf8Bytes += 4;
      } else {
        utf8Bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (utf8Bytes > MAX_NAME_BYTES) {
      return "longer than " + MAX_NAME_BYTES + " bytes";
    }
    for (String suffix : EXCLUDED_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return "ends in " + suffix;
      }
    }
    if (isTempName(name)) {
      return "is a p2psync temporary file";
    }
    if (name.equals(STATE_DIR)) {
      return "is p2psync's hidden state";
    }
    return null;
  }

  /** Whether {@code name} is one of our own in-progress download files. */
  public static boolean isTempName(String name) {
    return name.startsWith(TEMP_PREFIX) && !name.equals(STATE_DIR);
  }

  /** A fresh hidden temp name for a download; it can never collide with a syncable name. */
  public static String newTempName() {
    return TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX;
  }
}
