package p2psync.peer.sync;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The last step before a downloaded version takes a name that a local file holds: the local file
 * makes way (to the trash, or to its conflict name), so no version is ever overwritten. Called on a
 * worker, blocking, just before the temp file is renamed into place.
 */
public interface Displacer {
  /**
   * Moves the local file at {@code target} out of the way; throws to keep it (it changed since the
   * download was decided), which fails the download and leaves the folder as it was.
   */
  void displace(String name, Path target) throws IOException;
}
