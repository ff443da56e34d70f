package p2psync.peer.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;
import p2psync.common.RegularFile;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Entry;

/**
 * A v2 peer's sync semantics (docs/protocol-v2.md, "Sync"): it remembers the last synced version of
 * every name, turns a local deletion into a tombstone, applies the directory's tombstones to copies
 * that are the deleted version or an unchanged older one, keeps both sides of a conflict, and never
 * lets a version go except into the trash.
 *
 * <p>Versions are ordered the same way everywhere: newer mtime first, then the greater SHA-256 (the
 * tracker names the winner of a name by the same order). A local copy changed since its last synced
 * version that loses to the directory's version is renamed to its conflict name and propagates like
 * any file; an unchanged one goes to the trash.
 *
 * <p>Confined to the peer's event loop, except {@link #displace}, which runs on a worker and reads
 * only the immutable plans put in a concurrent map before each download.
 */
public final class FolderSync implements Displacer {
  private static final Logger LOG = System.getLogger(FolderSync.class.getName());

  /** The trash is purged this often at most (and at start). */
  private static final long MAX_PURGE_PERIOD_MILLIS = 3_600_000L;

  private final Vertx vertx;
  private final Path root;
  private final SyncConfig config;
  private final Clock clock;
  private final Trash trash;
  private SyncState state;

  /** The live files of the latest advertisement (hashed or not), by name; null before the first. */
  private Map<String, FileEntry> local;

  /**
   * What each download found here when it was decided: the local version it may displace, and
   * whether that version is a local edit (a conflict). Read by {@link #displace} on a worker.
   */
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();

  private record Plan(FileEntry local, boolean conflict) {}

  /** Names whose tombstone is being applied (on a worker). */
  private final Set<String> applying = new HashSet<>();

  /** Names being copied from content already here (on a worker). */
  private final Set<String> copying = new HashSet<>();

  /**
   * Told each name this peer changed on disk itself (a deletion applied, a file redated), once the
   * change is done and before {@link #onChanged}: the next scan looks at it even when it looks only
   * at what changed, though the watcher's word of it may come later.
   */
  private Consumer<String> onWritten = name -> {};

  /** Scans begun so far, and, per name, the scan count when this peer last changed it on disk. */
  private long scans;

  private final Map<String, Long> touched = new HashMap<>();

  /**
   * Per name, the hash of the version this peer last fetched (downloaded or copied) in this run: a
   * local version that is not one is this peer's own edit.
   */
  private final Map<String, String> fetched = new HashMap<>();

  private boolean dirty;
  private boolean saving;

  /** The save under way, if any: saves run one after another, each writing the same temp file. */
  private Future<Void> lastSave = Future.succeededFuture();

  private long purgeTimer = -1;
  private Runnable onChanged = () -> {};
  private Runnable onRefused = () -> {};

  /**
   * Per tombstone of ours that the directory does not show (it names an older live version): when
   * that was first seen, and how often since. See {@link #checkOwnTombstones}.
   */
  private final Map<String, long[]> refused = new HashMap<>();

  /** A deletion the directory keeps refusing is given up after this many lines... */
  private static final int GIVE_UP_LINES = 3;

  /** ...over at least this many keepalive intervals. */
  private static final int GIVE_UP_KEEPALIVES = 2;

  private Predicate<String> downloading = name -> false;

  /** Conflict copies made since start, and the latest names (written by {@link #displace}). */
  private final LongAdder conflictCopies = new LongAdder();

  private final Deque<String> recentConflictCopies = new ConcurrentLinkedDeque<>();
  private static final int RECENT_CONFLICT_COPIES = 20;

  public FolderSync(Vertx vertx, Path root, SyncConfig config, Clock clock) {
    this.vertx = vertx;
    this.root = root;
    this.config = config;
    this.clock = clock;
    this.trash = new Trash(root);
  }

  /** Run when this peer changed the folder (a tombstone applied): worth advertising at once. */
  public void onChanged(Runnable action) {
    this.onChanged = action;
  }

  /**
   * A change of ours to {@code name} on disk (a deletion applied, a redate) is done, or failed:
   * stamped again, as a scan begun before this saw the name as it was (a scan that looks only at
   * what changed may not even have looked at it), and told to {@link #onWritten}.
   */
  private void doneOnDisk(String name) {
    applying.remove(name);
    touched.put(name, scans + 1);
    onWritten.accept(name);
  }

  /** See {@link #onWritten}; called on the event loop. */
  public void onWritten(Consumer<String> action) {
    this.onWritten = action;
  }

  /**
   * Run when the directory does not show a tombstone of ours: the tracker may have dropped it (it
   * came back after a restart before any holder of that version), so the folder is sent again.
   */
  public void onRefused(Runnable action) {
    this.onRefused = action;
  }

  /** Names with a download queued or running: their absence from a scan is no deletion. */
  public void downloading(Predicate<String> isDownloading) {
    this.downloading = isDownloading;
  }

  /**
   * Reads the state (a corrupt one is rebuilt) and purges the trash; then purges it periodically.
   */
  public Future<Void> open() {
    return vertx
        .executeBlocking(
            () -> {
              SyncState loaded = SyncState.load(root);
              purge();
              return loaded;
            },
            false)
        .map(
            loaded -> {
              state = loaded;
              long period =
                  Math.min(MAX_PURGE_PERIOD_MILLIS, config.getTrashRetention().toMillis());
              purgeTimer =
                  vertx.setPeriodic(
                      Math.max(1, period),
                      t ->
                          vertx
                              .executeBlocking(this::purge, false)
                              .onFailure(
                                  e -> LOG.log(Level.WARNING, "cannot purge the trash: " + e, e)));
              return null;
            });
  }

  private int purge() throws IOException {
    int purged = trash.purge(clock.instant(), config.getTrashRetention());
    if (purged > 0) {
      LOG.log(Level.INFO, "purged " + purged + " file(s) older than trashRetention from the trash");
    }
    return purged;
  }

  /** Saves the state, after any save under way. */
  public Future<Void> close() {
    vertx.cancelTimer(purgeTimer);
    if (state == null) {
      return Future.succeededFuture();
    }
    return save();
  }

  /** Writes a snapshot of the state once the save before it, if any, is done. */
  private Future<Void> save() {
    SyncState snapshot = state.snapshot();
    lastSave =
        lastSave.transform(
            previous ->
                vertx.executeBlocking(
                    () -> {
                      snapshot.save(root);
                      return null;
                    },
                    false));
    return lastSave;
  }

  /**
   * Whether a reason {@link #whyNotDownload} gave may be gone by the next directory without the
   * directory changing (the folder not scanned yet, a local copy running): the name is looked at
   * again then, even when a delta does not name it.
   */
  public boolean passing(String name) {
    return local == null || copying.contains(name);
  }

  /**
   * The sync state for a status page: call on the event loop; the trash is listed on a worker.
   * Before {@link #open} completes, no tombstones are known yet.
   */
  public Future<SyncStatus> status() {
    int tombstones = state == null ? 0 : state.tombstones.size();
    long copies = conflictCopies.sum();
    List<String> recent = List.copyOf(recentConflictCopies);
    return vertx.executeBlocking(
        () -> {
          List<SyncStatus.TrashEntry> trashed;
          try {
            trashed = trash.list();
          } catch (IOException e) {
            // an unreadable trash must not take the whole status page down: shown as unknown
            LOG.log(Level.WARNING, "cannot list the trash: " + e, e);
            return new SyncStatus(tombstones, copies, recent, -1, -1, List.of());
          }
          long bytes = trashed.stream().mapToLong(SyncStatus.TrashEntry::size).sum();
          return new SyncStatus(
              tombstones,
              copies,
              recent,
              trashed.size(),
              bytes,
              trashed.subList(0, Math.min(trashed.size(), SyncStatus.MAX_TRASH_ENTRIES)));
        },
        false);
  }

  /** The short stable id that names this peer's conflict copies. */
  public String peerId() {
    return state.peerId;
  }

  // ---- advertising ----------------------------------------------------------------------------

  /** Call as a scan of the folder begins; pass the number to {@link #advertise}. */
  public long beginScan() {
    return ++scans;
  }

  /**
   * The entries to advertise for a scan begun as {@code scan}: the scanned files plus the
   * tombstones. A name a previous scan saw and this one does not was deleted here: it gets a
   * tombstone dated now (at least a second after the version it had), unless this peer itself moved
   * it or a download is replacing it; at the first scan of a run, a synced name that is gone was
   * deleted while the peer was stopped. A name that is back loses its tombstone; tombstones older
   * than {@code tombstoneExpiry} are forgotten.
   */
  public List<FileEntry> advertise(long scan, List<FileEntry> scanned) {
    Map<String, FileEntry> now = new HashMap<>(scanned.size() * 2);
    scanned.forEach(file -> now.put(file.name(), file));
    long nowSeconds = clock.millis() / 1000;
    Map<String, SyncState.Version> before = new HashMap<>();
    if (local == null) {
      state.synced.forEach(before::put);
    } else {
      local.forEach(
          (name, file) -> {
            SyncState.Version synced = state.synced.get(name);
            before.put(
                name,
                file.hasHash()
                    ? new SyncState.Version(file.sha256(), file.size(), file.mtime())
                    : synced == null
                        ? null
                        : new SyncState.Version(synced.sha256(), synced.size(), file.mtime()));
          });
    }
    // only the newest scan may tell a deletion: an older one finishing late would miss what was
    // created since, and call it deleted
    boolean newest = scan >= scans;
    before.forEach(
        (name, version) -> {
          if (newest
              && version != null
              && version.sha256() != null
              && !now.containsKey(name)
              && !state.tombstones.containsKey(name)
              && !downloading.test(name)
              && touched.getOrDefault(name, 0L) <= scan) {
            long deletedAt = Math.max(nowSeconds, version.mtime() + 1);
            state.tombstones.put(
                name, new SyncState.Tombstone(name, deletedAt, version.sha256(), version.size()));
            state.synced.remove(name);
            dirty = true;
            LOG.log(Level.INFO, "deleted here: " + name + " (advertised as a tombstone)");
          }
        });
    long expired = nowSeconds - config.getTombstoneExpiry().toSeconds();
    // a name back in the folder loses its tombstone; but not one this peer deleted after the scan
    // began (a tombstone applied meanwhile): that scan saw the file before it went to the trash
    if (state
            .tombstones
            .keySet()
            .removeIf(name -> now.containsKey(name) && touched.getOrDefault(name, 0L) <= scan)
        | state
            .tombstones
            .values()
            .removeIf(
                t -> {
                  if (t.deletedAt() >= expired) {
                    return false;
                  }
                  relook.add(t.name()); // forgotten: a live version of it may be fetched again
                  return true;
                })) {
      dirty = true;
    }
    if (newest) {
      // an older scan finishing late does not undo what a newer one saw (nor, at start, take the
      // place of the first look, which compares the folder with the synced versions)
      if (local != null) {
        // what this peer did to a name since the scan began (a download renamed into place, a
        // file sent to the trash) is newer than what the scan saw of it
        Map<String, FileEntry> previous = local;
        touched.forEach(
            (name, at) -> {
              if (at > scan) {
                FileEntry kept = previous.get(name);
                if (kept == null) {
                  now.remove(name);
                } else {
                  now.put(name, kept);
                }
              }
            });
        // what changed here (a save, a deletion, a hash learnt) may change what the directory's
        // version of the name needs, though the directory did not change: a delta would not name it
        previous.forEach(
            (name, file) -> {
              if (!file.equals(now.get(name))) {
                relook.add(name);
              }
            });
        now.keySet().stream().filter(name -> !previous.containsKey(name)).forEach(relook::add);
      }
      local = now;
    }
    List<FileEntry> entries = new ArrayList<>(scanned.size() + state.tombstones.size());
    entries.addAll(scanned);
    state.tombstones.values().stream()
        .map(t -> FileEntry.tombstone(t.name(), t.deletedAt(), t.size(), t.sha256()))
        .forEach(entries::add);
    saveIfDirty();
    return entries;
  }

  private void saveIfDirty() {
    if (!dirty || saving) {
      return;
    }
    dirty = false;
    saving = true;
    save()
        .onComplete(
            ar -> {
              saving = false;
              if (ar.failed()) {
                dirty = true;
                LOG.log(Level.WARNING, "cannot save the sync state: " + ar.cause(), ar.cause());
              }
            });
  }

  // ---- the directory --------------------------------------------------------------------------

  /**
   * A directory: a version the directory names that is the one held here becomes the last synced
   * version of its name; tombstones are applied where they may be.
   */
  /**
   * Names to look at again with the next directory, even a delta that does not name them (a full
   * line looks at every name anyway): their side here changed since they were last looked at (a
   * scan saw them change or get their hash, a download or a copy took the name, a deletion of ours
   * was given up or forgotten), or their tombstone could not be applied yet. The peer takes them
   * ({@link #takeRelook}) for its own look too, so both decide on the same names; a delta alone
   * names only what changed at the tracker, and a name passed over for a reason that went away here
   * was never looked at again (issue 11: a peer never fetched a file, or kept one deleted
   * everywhere else).
   */
  private final Set<String> relook = new HashSet<>();

  /**
   * Whether the next directory must be looked at whole: until the folder's first scan nothing is
   * looked at, and a delta names only what changed since.
   */
  private boolean fullPassDue = true;

  public void onDirectory(Map<String, DirectoryEntry> entries) {
    if (local == null) {
      return; // nothing known of the folder yet
    }
    fullPassDue = false;
    relook.clear();
    entries.forEach(this::onEntry);
    checkOwnTombstones(entries);
    saveIfDirty();
  }

  /**
   * The names to look at again with this directory whatever it changed (see {@link #relook}), and
   * forgets them: call just before {@link #onDirectoryDelta}, whose names should include them.
   */
  public Set<String> takeRelook() {
    if (relook.isEmpty()) {
      return Set.of();
    }
    Set<String> names = Set.copyOf(relook);
    relook.clear();
    return names;
  }

  /** Whether {@code name} waits to be looked at again with the next directory. */
  public boolean relooking(String name) {
    return relook.contains(name);
  }

  /**
   * A versioned directory (v2 deltas): as {@link #onDirectory}, for {@code names} only (those the
   * delta changed and those {@link #takeRelook} gave; the others were seen when they last changed);
   * {@code entries} is the whole directory as applied. A delta that changed nothing costs a look at
   * this peer's own tombstones, not a pass over the directory.
   */
  public void onDirectoryDelta(Map<String, DirectoryEntry> entries, Set<String> names) {
    if (local == null) {
      return;
    }
    if (fullPassDue) {
      onDirectory(entries); // the first look since the folder was scanned
      return;
    }
    look(entries, names);
    checkOwnTombstones(entries);
    saveIfDirty();
  }

  /**
   * Looks at {@code names} of the held directory {@code entries} as a directory naming them would
   * (the periodic sweep's batches, and each delta's names): nothing else, so it does not count as a
   * directory line for this peer's refused tombstones.
   */
  public void look(Map<String, DirectoryEntry> entries, Set<String> names) {
    if (local == null || fullPassDue) {
      return; // the first directory after the first scan looks at every name
    }
    for (String name : names) {
      DirectoryEntry entry = entries.get(name);
      if (entry != null) {
        onEntry(name, entry);
      }
    }
    saveIfDirty();
  }

  private void onEntry(String name, DirectoryEntry entry) {
    V2Entry v2 = entry.v2();
    if (v2 == null) {
      return;
    }
    if (v2.deleted()) {
      applyTombstone(name, entry);
      return;
    }
    FileEntry here = local.get(name);
    // synced once another holder has it too: a version only this peer holds (a local edit the
    // tracker names for now) is not agreed yet, and must still lose as a conflict copy
    if (here != null
        && v2.sources().size() > 1
        && v2.sha256().equals(here.sha256())
        && here.mtime() == entry.mtime()) {
      SyncState.Version version = new SyncState.Version(here.sha256(), here.size(), here.mtime());
      if (!version.equals(state.synced.put(name, version))) {
        dirty = true;
      }
    }
  }

  /**
   * A tombstone of ours that the directory does not show, while it names an older live version of
   * that name, was refused or lost: a tracker drops one of a version it knows no holder of (after a
   * restart, before the holders are back), and a seed tracker never sees one. The folder is sent
   * again at once; if the directory still refuses it over {@link #GIVE_UP_KEEPALIVES} keepalives
   * and {@link #GIVE_UP_LINES} lines, the deletion is given up and the file comes back (nothing is
   * lost, and the peers agree again) rather than this peer refusing that name for ever.
   */
  private void checkOwnTombstones(Map<String, DirectoryEntry> entries) {
    long now = clock.millis();
    refused.keySet().retainAll(state.tombstones.keySet());
    for (SyncState.Tombstone tombstone : List.copyOf(state.tombstones.values())) {
      DirectoryEntry entry = entries.get(tombstone.name());
      boolean shown = entry == null || entry.v2() != null && entry.v2().deleted();
      if (shown || entry.mtime() > tombstone.deletedAt()) {
        refused.remove(tombstone.name()); // in effect, or a newer edit won: nothing to insist on
        continue;
      }
      long[] seen = refused.computeIfAbsent(tombstone.name(), n -> new long[] {now, 0});
      if (++seen[1] == 1) {
        onRefused.run();
      } else if (seen[1] >= GIVE_UP_LINES
          && now - seen[0] >= GIVE_UP_KEEPALIVES * config.getKeepAliveInterval().toMillis()) {
        LOG.log(
            Level.INFO,
            "the directory does not take the deletion of "
                + tombstone.name()
                + " (its tracker knows no holder of that version, or speaks seed only): it comes"
                + " back");
        state.tombstones.remove(tombstone.name());
        refused.remove(tombstone.name());
        relook.add(tombstone.name()); // the live version comes back: no delta will name it again
        dirty = true;
      }
    }
  }

  /**
   * Applies a tombstone to the local copy when that copy is the deleted version, or is unchanged
   * since it was last synced and older than the deletion: it goes to the trash, and this peer
   * advertises the tombstone too. A newer or different edit is kept, and if the tombstone is newer
   * than it, its mtime is set to one second after the deletion: an edit wins over a deletion, on
   * every peer. A tombstone from the future is ignored.
   */
  private void applyTombstone(String name, DirectoryEntry entry) {
    V2Entry v2 = entry.v2();
    FileEntry here = local.get(name);
    if (here == null) {
      return; // nothing to delete
    }
    if (!here.hasHash() || applying.contains(name)) {
      relook.add(name); // not hashed yet, or being applied: the next directory tries again
      return;
    }
    long nowSeconds = clock.millis() / 1000;
    if (entry.mtime() > nowSeconds + config.getMaxClockSkew().toSeconds()) {
      LOG.log(Level.DEBUG, () -> "ignoring a tombstone of " + name + " from the future");
      return;
    }
    SyncState.Version synced = state.synced.get(name);
    boolean deletedVersion = here.sha256().equals(v2.sha256());
    boolean olderUnchanged =
        synced != null && isSynced(here, synced) && here.mtime() < entry.mtime();
    if (!deletedVersion && !olderUnchanged && here.mtime() > entry.mtime()) {
      return; // newer than the deletion: the directory names it as soon as it has our message
    }
    applying.add(name);
    touched.put(name, scans + 1);
    Path path = root.resolve(name);
    boolean delete = deletedVersion || olderUnchanged;
    vertx
        .executeBlocking(
            () -> {
              requireUnchanged(name, path, here);
              if (delete) {
                trash.put(path, name, here.sha256(), clock.instant());
              } else {
                Files.setLastModifiedTime(path, FileTime.fromMillis((entry.mtime() + 1) * 1000));
              }
              return null;
            },
            false)
        .onComplete(
            ar -> {
              doneOnDisk(name);
              if (ar.failed()) {
                LOG.log(
                    Level.INFO,
                    "not applying the deletion of " + name + ": " + ar.cause().getMessage());
                return;
              }
              if (delete) {
                LOG.log(
                    Level.INFO, "deleted " + name + " (moved to the trash), as " + where(entry));
                state.tombstones.put(
                    name, new SyncState.Tombstone(name, entry.mtime(), v2.sha256(), v2.size()));
                state.synced.remove(name);
                local.remove(name);
              } else {
                LOG.log(
                    Level.INFO,
                    "kept "
                        + name
                        + ", a local edit the deletion by "
                        + where(entry)
                        + " did not know; it wins over the deletion");
              }
              dirty = true;
              saveIfDirty();
              onChanged.run();
            });
  }

  private static String where(DirectoryEntry entry) {
    return entry.address() + " at " + entry.mtime();
  }

  /**
   * Gives the local file {@code mtime} (seconds), if it is still the version seen; the folder is
   * advertised again after. The same content with a newer mtime elsewhere (an edit made to win over
   * a deletion, a copy given a new date) is one version: every peer must end with the same mtime.
   */
  private void redate(String name, FileEntry here, long mtime) {
    if (!applying.add(name)) {
      return;
    }
    touched.put(name, scans + 1);
    Path path = root.resolve(name);
    vertx
        .executeBlocking(
            () -> {
              requireUnchanged(name, path, here);
              Files.setLastModifiedTime(path, FileTime.fromMillis(mtime * 1000));
              return null;
            },
            false)
        .onComplete(
            ar -> {
              doneOnDisk(name);
              if (ar.succeeded()) {
                local.put(name, new FileEntry(name, mtime, here.size(), here.sha256()));
                onChanged.run();
              } else {
                LOG.log(Level.DEBUG, () -> "not redating " + name + ": " + ar.cause().getMessage());
              }
            });
  }

  // ---- downloads ------------------------------------------------------------------------------

  /**
   * Why a v2 peer does not download the directory's version of a name, or null when it does (the
   * caller has ruled out its own entries and names held by a folder). Replaces the seed rule "only
   * a newer mtime": a version deleted here is not brought back by an older copy, a version with the
   * content held here is not fetched again, and of two versions the one first in the order (mtime,
   * then hash) stays. When the answer is null, the local version found now is remembered for {@link
   * #displace}.
   */
  public String whyNotDownload(String name, DirectoryEntry entry) {
    V2Entry v2 = entry.v2();
    if (v2 != null && v2.deleted()) {
      return "a deletion, not a version to fetch";
    }
    if (local == null) {
      // what is here decides (the same content elsewhere, an edit to keep): wait for the first look
      return "the folder is not scanned yet";
    }
    SyncState.Tombstone tombstone = state.tombstones.get(name);
    if (tombstone != null && entry.mtime() <= tombstone.deletedAt()) {
      return "deleted here at " + tombstone.deletedAt() + ", after that version";
    }
    if (copying.contains(name)) {
      return "being copied from the same content here";
    }
    FileEntry here = local.get(name);
    if (here != null) {
      if (v2 == null || !here.hasHash()) {
        if (here.mtime() >= entry.mtime()) {
          return "the local copy is as new (mtime "
              + here.mtime()
              + ", theirs "
              + entry.mtime()
              + ")";
        }
      } else if (here.sha256().equals(v2.sha256())) {
        if (entry.mtime() > here.mtime()) {
          redate(name, here, entry.mtime()); // one version, one mtime on every peer
        }
        return "the same content is here";
      } else if (here.mtime() > entry.mtime()
          || here.mtime() == entry.mtime() && here.sha256().compareTo(v2.sha256()) > 0) {
        return "the local version comes first (mtime, then SHA-256)";
      }
    }
    SyncState.Version synced = state.synced.get(name);
    // a local edit since the last synced version; or this peer's own edit of the same second as
    // the directory's (concurrent edits, two contents, one mtime: never one silently replacing the
    // other; a version fetched from elsewhere makes no conflict copy, its author's peer does, and
    // that holds for one fetched the seed way, unverified, whose hash this peer learnt only later)
    boolean fetchedUnhashed =
        here != null && synced != null && synced.sha256() == null && isSynced(here, synced);
    boolean conflict =
        here != null
            && (synced != null && !isSynced(here, synced)
                || v2 != null
                    && here.hasHash()
                    && here.mtime() == entry.mtime()
                    && !here.sha256().equals(fetched.get(name))
                    && !fetchedUnhashed);
    plans.put(name, new Plan(here, conflict));
    return null;
  }

  /**
   * Whether a local file is its last synced version: the same hash, else the same mtime and size.
   */
  private static boolean isSynced(FileEntry here, SyncState.Version synced) {
    if (here.hasHash() && synced.sha256() != null) {
      return here.sha256().equals(synced.sha256());
    }
    return here.mtime() == synced.mtime() && (!here.hasHash() || here.size() == synced.size());
  }

  /**
   * Copies the directory's version of {@code name} from the same content already here, under
   * another name or in the trash (a rename or a move elsewhere is a deletion plus a creation), when
   * there is any: completes with true once it is in place, false when there is no such content
   * (then download it). Call after {@link #whyNotDownload} said yes. The copy is verified against
   * the hash as it is read, then takes the name as a download does.
   */
  public Future<Boolean> copyLocally(String name, DirectoryEntry entry) {
    String sha = entry.v2().sha256();
    List<Path> candidates = new ArrayList<>();
    if (local != null) {
      local.values().stream()
          .filter(f -> sha.equals(f.sha256()) && !f.name().equals(name))
          .map(f -> root.resolve(f.name()))
          .forEach(candidates::add);
    }
    if (candidates.isEmpty() && !trash.mayHold(sha)) {
      return Future.succeededFuture(false); // the usual case: nothing to look at on disk
    }
    copying.add(name);
    return vertx
        // ordered, after the blocking work queued before it: a tombstone applied by the same
        // directory moves its file to the trash first, and the copy then finds it there (unordered,
        // the two raced, and a lost race cost a transfer)
        .executeBlocking(() -> LocalCopy.copy(root, name, entry, candidates, trash, this), true)
        .andThen(ar -> copying.remove(name))
        .recover(
            e -> {
              LOG.log(Level.INFO, "cannot copy " + name + " from a local file, fetching it: " + e);
              return Future.succeededFuture(false);
            });
  }

  /**
   * A download (or a local copy) was renamed into place. The name is looked at again with the next
   * directory: the directory may have moved on while the transfer ran (a deletion of that very
   * version, a newer edit), and a delta that came meanwhile was passed over for this name.
   */
  public void downloaded(String name, long mtime, long size, String sha256) {
    plans.remove(name);
    relook.add(name);
    touched.put(name, scans + 1);
    if (sha256 != null) {
      fetched.put(name, sha256);
    }
    if (local != null) {
      local.put(
          name,
          sha256 == null ? new FileEntry(name, mtime) : new FileEntry(name, mtime, size, sha256));
    }
    // a seed-way download is not verified (there is nothing to verify against): its hash, when
    // this peer speaks v2, is that of the bytes that arrived
    state.synced.put(name, new SyncState.Version(sha256, size, mtime));
    state.tombstones.remove(name);
    dirty = true;
  }

  /**
   * Blocking, on the download's worker: the local file gives way to the new version. It must be the
   * version seen when the download was decided (else it changed meanwhile and is kept); a local
   * edit becomes its conflict copy, anything else goes to the trash.
   */
  @Override
  public void displace(String name, Path target) throws IOException {
    Plan plan = plans.get(name);
    if (RegularFile.read(target, "unix:ino") == null) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            name + " is a folder or a link here, which is never synced; leaving it alone");
      }
      return;
    }
    if (plan == null || plan.local() == null) {
      throw new IOException("the local copy changed meanwhile (it appeared), keeping it");
    }
    requireUnchanged(name, target, plan.local());
    if (plan.conflict()) {
      String conflictName = ConflictName.of(name, clock.instant(), state.peerId);
      if (!FileNames.isSyncable(conflictName)) {
        throw new IOException("no conflict name fits for " + name + ", keeping the local copy");
      }
      try {
        // never over an existing name: a second conflict of this name in the same second on this
        // peer has the same conflict name, and an atomic move (rename(2)) would silently replace
        // the first conflict copy with the second, losing that version
        Files.move(target, root.resolve(conflictName));
      } catch (FileAlreadyExistsException e) {
        throw new IOException(
            conflictName
                + " exists (a conflict of the same second), keeping the local copy of "
                + name
                + " for now: the next attempt names it after its own second",
            e);
      }
      LOG.log(Level.INFO, "conflict: the local edit of " + name + " is kept as " + conflictName);
      conflictCopies.increment();
      recentConflictCopies.addFirst(conflictName);
      while (recentConflictCopies.size() > RECENT_CONFLICT_COPIES) {
        recentConflictCopies.pollLast();
      }
    } else {
      trash.put(target, name, plan.local().sha256(), clock.instant());
    }
  }

  /** Throws unless the file is still the version seen (mtime in seconds, and size when known). */
  private static void requireUnchanged(String name, Path path, FileEntry seen) throws IOException {
    RegularFile file = RegularFile.read(path, "unix:ino");
    if (file == null
        || Math.floorDiv(file.attrs().lastModifiedTime().toMillis(), 1000L) != seen.mtime()
        || seen.hasHash() && file.attrs().size() != seen.size()) {
      throw new IOException("the local copy changed meanwhile, keeping it: " + name);
    }
  }
}
