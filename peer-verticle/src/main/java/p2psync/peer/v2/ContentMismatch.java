package p2psync.peer.v2;

import java.io.IOException;

/**
 * A v2 source sent other bytes than the version it advertised (hash or size): its fault, not the
 * network's, so it is not asked for that version again.
 */
public final class ContentMismatch extends IOException {
  private final boolean sourceToBlame;

  /**
   * @param sourceToBlame whether the holder asked is known to be at fault (false for a resumed file
   *     whose bytes came from several holders: then none is marked)
   */
  public ContentMismatch(String message, boolean sourceToBlame) {
    super(message);
    this.sourceToBlame = sourceToBlame;
  }

  public boolean sourceToBlame() {
    return sourceToBlame;
  }
}
