package p2psync.peer.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec.ListChanges;

/**
 * What the tracker holds of this peer's list on the current connection, so a change is told as what
 * changed (a v2 incremental advertisement, docs/protocol-v2.md) instead of the whole list again:
 * with 10,000 files a landed download was a 1.5 MB message for the tracker to decode, now it is one
 * entry.
 *
 * <p>Not thread-safe: owned by the peer's event loop.
 */
public final class AdvertisedList {
  /** The list as last sent whole or brought up to date by changes; null: nothing known sent. */
  private List<FileEntry> list;

  private Map<String, FileEntry> byName;

  /** Forgets what was sent: the next advertisement is the whole list (a new connection...). */
  public void forget() {
    list = null;
    byName = null;
  }

  /** Whether the tracker holds some list of ours to change. */
  public boolean isKnown() {
    return list != null;
  }

  /** Whether {@code files} is what the tracker holds already. */
  public boolean isCurrent(List<FileEntry> files) {
    return files.equals(list);
  }

  /** Records that {@code files} was sent (whole, or as its changes from the last list). */
  public void sent(List<FileEntry> files) {
    list = files;
    byName = null; // built when changes are asked for: a seed peer never needs it
  }

  /**
   * What changed from the list the tracker holds to {@code files}: entries new or different, and
   * names gone; null when {@code files} lists a name twice (no scan does; the whole list then says
   * it as the tracker reads a list). Only when {@link #isKnown}.
   */
  public ListChanges changesTo(List<FileEntry> files) {
    if (byName == null) {
      byName = index(list);
    }
    List<FileEntry> changed = new ArrayList<>();
    Set<String> listed = new HashSet<>(2 * files.size());
    for (FileEntry file : files) {
      if (!listed.add(file.name())) {
        return null;
      }
      if (!file.equals(byName.get(file.name()))) {
        changed.add(file);
      }
    }
    List<String> removed = new ArrayList<>();
    for (FileEntry file : list) {
      if (!listed.contains(file.name())) {
        removed.add(file.name());
      }
    }
    return new ListChanges(changed, removed);
  }

  /** After {@link #changesTo}, what {@link #sent} would build anew: the index of the new list. */
  public void sentChanges(List<FileEntry> files) {
    list = files;
    byName = index(files);
  }

  private static Map<String, FileEntry> index(List<FileEntry> files) {
    Map<String, FileEntry> index = new HashMap<>(2 * files.size());
    for (FileEntry file : files) {
      // A name listed twice counts with its newer entry, as the tracker reads a list.
      index.merge(file.name(), file, (a, b) -> b.mtime() > a.mtime() ? b : a);
    }
    return index;
  }
}
