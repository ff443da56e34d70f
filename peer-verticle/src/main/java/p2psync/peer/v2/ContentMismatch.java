package p2psync.peer.v2;

import java.io.IOException;

/**
 * A v2 source sent other bytes than the version it advertised (hash or size): its fault, not the
 * network's, so it is not asked for that version again.
 */
public final class ContentMismatch extends IOException {
  public ContentMismatch(String message) {
    super(message);
  }
}
