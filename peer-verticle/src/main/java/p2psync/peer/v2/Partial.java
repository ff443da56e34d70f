package p2psync.peer.v2;

import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * What an interrupted v2 download keeps: its temp file holding the first {@code length} bytes of
 * the version {@code sha256}, and the SHA-256 state over exactly those bytes, so that the next
 * attempt asks any holder of that version for the rest (an offset request) and the whole file is
 * still verified at the end without reading the prefix again. Kept in memory only: temp files left
 * by a stopped or crashed peer are deleted at start, as ever.
 *
 * @param resumed whether the prefix itself came from more than one attempt (a mismatch at the end
 *     then blames no holder in particular)
 */
public record Partial(
    Path path, long length, MessageDigest digest, String sha256, long mtime, boolean resumed) {}
