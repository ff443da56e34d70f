package p2psync.peer.delta;

import io.vertx.core.buffer.Buffer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import p2psync.common.DirectoryEntry;
import p2psync.common.ProtocolException;
import p2psync.common.delta.DeltaLine;
import p2psync.common.delta.DirectoryCopy;

/**
 * A v2 peer's side of directory deltas (docs/protocol-v2.md, "Directory deltas and push"): the copy
 * of the directory it keeps, what to tell the tracker about it, and the rule for doubt (any line
 * that does not follow: ask for the whole directory, use the old copy until it comes).
 *
 * <p>Kept across tracker connections: a reconnect to the same tracker goes on from the version
 * held, a move to another node (another epoch) gets one full directory. Not thread-safe: owned by
 * the peer's event loop.
 */
public final class DeltaClient {
  private static final Logger LOG = System.getLogger(DeltaClient.class.getName());

  private final DirectoryCopy copy = new DirectoryCopy();
  private boolean inDoubt;
  private long applied;
  private long refused;

  /** The {@code , "delta": {...}} to add to every v2 message: the version held, pushes wanted. */
  public String field() {
    return ", " + copy.request(true).encodeField();
  }

  /** The directory as last applied: a live view, read on the peer's loop only. */
  public Map<String, DirectoryEntry> entries() {
    return copy.entries();
  }

  /** Names of the directory not acted on, each with why. */
  public Map<String, String> rejected() {
    return copy.rejected();
  }

  public long version() {
    return copy.version();
  }

  public long epoch() {
    return copy.epoch();
  }

  /** An immutable copy of what this client holds. */
  public DeltaStatus status() {
    return DeltaStatus.of(this);
  }

  /** Lines applied, and lines refused (each refusal cost a whole directory). */
  public long applied() {
    return applied;
  }

  public long refused() {
    return refused;
  }

  /**
   * Applies a versioned line (without its {@code \n}).
   *
   * @return the names whose entry changed, or null when the line was not applied: when it raised a
   *     doubt ({@link #inDoubt()} turned true, so the caller asks for the whole directory at once)
   *     or when a doubt is pending and this is not the whole directory that answers it
   */
  public Set<String> apply(Buffer line) {
    DeltaLine delta;
    try {
      delta = DeltaLine.decode(line);
    } catch (ProtocolException e) {
      return doubt("a versioned line we cannot read: " + e.getMessage(), e);
    }
    if (inDoubt && !delta.full()) {
      return null; // sent before the tracker read our request for the whole directory
    }
    try {
      Set<String> changed = copy.apply(delta);
      inDoubt = false;
      applied++;
      return changed;
    } catch (DirectoryCopy.OutOfStep e) {
      return doubt(e.getMessage(), e);
    }
  }

  /** Whether the next line must be the whole directory (the caller has asked for it). */
  public boolean inDoubt() {
    return inDoubt;
  }

  private Set<String> doubt(String why, Exception cause) {
    refused++;
    LOG.log(Level.INFO, "asking the tracker for the whole directory: " + why);
    LOG.log(Level.DEBUG, "directory line refused", cause);
    inDoubt = true;
    copy.forgetVersion();
    return null;
  }
}
