package p2psync.peer.v2;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import p2psync.common.FileEntry;

/**
 * A v2 peer's hashes, seen from the event loop: look-ups run on the worker pool (a stat each), and
 * hashing runs on a thread of its own, so a folder of large files being hashed never holds up
 * serving, downloading or the tracker. A file not hashed yet is advertised as a seed entry (name
 * and mtime) until its hash is known; the advertisement after that carries it.
 *
 * <p>Call from the peer's event loop only.
 */
public final class FolderHashes {
  private static final Logger LOG = System.getLogger(FolderHashes.class.getName());

  /** During a long hashing run, the cache is written every this many files. */
  private static final int SAVE_EVERY = 500;

  private final Vertx vertx;
  private final Path root;
  private final WorkerExecutor hasher;
  private HashCache cache;
  private final Set<String> pending = new LinkedHashSet<>();
  private boolean hashing;
  private boolean closed;
  private Runnable onHashed = () -> {};

  /** A hash a verified download gave, for the version it wrote. */
  private record Learnt(String sha256, long size, long mtimeSeconds) {
    boolean fits(HashCache.Key key) {
      return key.size() == size && key.mtimeSeconds() == mtimeSeconds;
    }
  }

  /**
   * Hashes of verified downloads not yet in the cache (its worker has not run): an advertisement
   * scanning meanwhile takes them from here. Without it, each file landing just before a scan was
   * "unknown": a hashing run, a cache save and a pass over the whole cache for renames, per
   * advertisement, all to learn a hash the peer already had. Written on the event loop, read on the
   * workers.
   */
  private final Map<String, Learnt> learnt = new ConcurrentHashMap<>();

  /** The least time between two saves of the cache by advertisements. */
  private volatile long saveSpacingNanos = TimeUnit.SECONDS.toNanos(5);

  private volatile long lastSaveNanos = Long.MIN_VALUE / 2;
  private LongSupplier nanoClock = System::nanoTime;

  /** Files hashed by reading them from the disk (not learnt from a download). */
  private final AtomicLong filesRead = new AtomicLong();

  public FolderHashes(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root;
    // One thread: hashing is disk-bound, and a second would only make two files' reads compete.
    this.hasher = vertx.createSharedWorkerExecutor("p2psync-hash-" + root, 1, 1, TimeUnit.HOURS);
  }

  /**
   * Advertisements write the cache at most once per {@code spacing} (a keepalive interval, for a
   * peer), timed by {@code nanoClock}; closing always writes it.
   */
  public void setSaveSpacing(Duration spacing, LongSupplier nanoClock) {
    this.saveSpacingNanos = spacing.toNanos();
    this.nanoClock = nanoClock;
  }

  /** How many files were hashed by reading them (any thread). */
  public long filesRead() {
    return filesRead.get();
  }

  /**
   * Called on the event loop when a hashing run learnt new hashes: worth advertising now rather
   * than at the next keepalive, so other v2 peers may fetch from this one sooner.
   */
  public void onHashed(Runnable action) {
    this.onHashed = action;
  }

  /** Reads the cache file; a bad one is rebuilt. */
  public Future<Void> open() {
    return vertx.executeBlocking(
        () -> {
          cache = HashCache.load(root);
          return null;
        },
        false);
  }

  /**
   * The entries to advertise for a scan's files: hashed where the cache knows the current version,
   * seed entries (to be hashed in the background) otherwise. Files gone since the scan are left
   * out.
   */
  public Future<List<FileEntry>> entries(Map<String, Long> files) {
    return entries(files, Map.of());
  }

  /**
   * The same, for a scan that read the files' keys ({@code keys}: by name, for some or all of the
   * files): those are not looked at again.
   */
  public Future<List<FileEntry>> entries(Map<String, Long> files, Map<String, HashCache.Key> keys) {
    return vertx
        .executeBlocking(
            () -> {
              List<FileEntry> entries = new ArrayList<>(files.size());
              List<String> unknown = new ArrayList<>();
              Map<HashCache.Key, String> vanished = null; // built at the first unknown name only
              // a hash set: files may be a tree map, and each name is looked up twice below
              Set<String> present = new HashSet<>(files.keySet());
              for (String name : files.keySet()) {
                HashCache.Key key = keys.get(name);
                if (key == null || key.mtimeSeconds() != files.get(name)) {
                  key = cache.key(name);
                }
                if (key == null) {
                  continue;
                }
                String sha = known(name, key);
                if (sha == null) {
                  // a rename: advertised with its hash at once, so that the other peers copy the
                  // content they hold instead of fetching a name they cannot tell is the same
                  if (vanished == null) {
                    vanished = cache.vanished(present);
                  }
                  sha = vanished.get(key);
                  if (sha != null) {
                    cache.put(name, key, sha);
                    LOG.log(Level.DEBUG, () -> name + ": a file renamed, its hash kept");
                  }
                }
                if (sha == null) {
                  unknown.add(name);
                  entries.add(new FileEntry(name, key.mtimeSeconds()));
                } else {
                  entries.add(new FileEntry(name, key.mtimeSeconds(), key.size(), sha));
                }
              }
              cache.retainOnly(present);
              // hashes learnt from downloads are written here, at most once per saveSpacing, not
              // once per file nor per advertisement (10,000 small files would rewrite it 10,000
              // times; a peer pulling files advertises every few). A crash loses at most the
              // hashes of that long: those files are read again, never advertised wrong.
              long now = nanoClock.getAsLong();
              if (now - lastSaveNanos >= saveSpacingNanos) {
                lastSaveNanos = now;
                cache.save();
              }
              return new Lookup(entries, unknown);
            },
            false)
        .map(
            lookup -> {
              if (!lookup.unknown().isEmpty()) {
                pending.addAll(lookup.unknown());
                hashPending();
              }
              return lookup.entries();
            });
  }

  private record Lookup(List<FileEntry> entries, List<String> unknown) {}

  /** Blocking: the hash of version {@code key} of a name, from the cache or a download. */
  private String known(String name, HashCache.Key key) {
    String sha = cache.lookup(name, key);
    if (sha == null) {
      Learnt download = learnt.get(name);
      if (download != null && download.fits(key)) {
        cache.put(name, key, download.sha256());
        sha = download.sha256();
      }
    }
    return sha;
  }

  /** The hash of the current version of a name, or null when there is none known (yet). */
  public Future<String> current(String name) {
    return vertx.executeBlocking(() -> currentBlocking(name, -1, -1), false);
  }

  /**
   * Blocking, any thread: the hash of the file at {@code name} as it is now, or null when it is not
   * hashed; with {@code size} and {@code mtimeNanos} (not -1), only when the file is of that size
   * and mtime (the version its caller read).
   */
  public String currentBlocking(String name, long size, long mtimeNanos) throws IOException {
    HashCache.Key key = cache.key(name);
    if (key == null || size >= 0 && (key.size() != size || key.mtimeNanos() != mtimeNanos)) {
      return null;
    }
    return cache.lookup(name, key);
  }

  /**
   * A download was verified and renamed into place as {@code size} bytes dated {@code
   * mtimeSeconds}: its hash is known, no need to read it again. Recorded only while the file at the
   * name is still that size and mtime: a user's save landing between the rename and this look is
   * another file, and taking the download's hash for it advertised the save under a hash it does
   * not have (the others then copied the downloaded content in its place: the save was lost
   * everywhere but here). Such a file is hashed from its bytes, as any new file.
   */
  public Future<Void> downloaded(String name, String sha256, long size, long mtimeSeconds) {
    Learnt download = new Learnt(sha256, size, mtimeSeconds);
    learnt.put(name, download);
    return vertx
        .<Void>executeBlocking(
            () -> {
              HashCache.Key key = cache.key(name);
              if (key != null && download.fits(key)) {
                cache.put(name, key, sha256); // saved with the next advertisement
              } else {
                LOG.log(
                    Level.DEBUG,
                    () -> name + " changed since its download was renamed into place: hashed anew");
              }
              return null;
            },
            false)
        .onComplete(ar -> learnt.remove(name, download));
  }

  /** Stops hashing after the current file; saves what is known. */
  public Future<Void> close() {
    closed = true;
    pending.clear();
    Future<Void> saved =
        cache == null
            ? Future.succeededFuture()
            : vertx.executeBlocking(
                () -> {
                  cache.save();
                  return null;
                },
                false);
    return saved.eventually(hasher::close);
  }

  private void hashPending() {
    if (hashing || closed || pending.isEmpty()) {
      return;
    }
    hashing = true;
    List<String> batch = new ArrayList<>(pending);
    pending.clear();
    hasher
        .executeBlocking(
            () -> {
              int hashed = 0;
              for (String name : batch) {
                if (closed) {
                  break;
                }
                try {
                  HashCache.Key key = cache.key(name);
                  if (key != null && known(name, key) != null) {
                    continue; // learnt meanwhile (a verified download): no need to read it
                  }
                  if (cache.hash(name) == null) {
                    continue;
                  }
                  filesRead.incrementAndGet();
                  if (++hashed % SAVE_EVERY == 0) {
                    cache.save(); // a long first hashing is not all lost to a crash
                  }
                } catch (IOException e) {
                  LOG.log(Level.WARNING, "cannot hash " + name + ": " + e.getMessage(), e);
                }
              }
              if (hashed > 0) {
                // a run that read nothing (its names were learnt from downloads meanwhile) leaves
                // the save to the next advertisement: a save rewrites the whole cache
                cache.save();
              }
              return hashed;
            },
            true)
        .onComplete(
            ar -> {
              hashing = false;
              if (ar.failed()) {
                LOG.log(Level.WARNING, "hashing failed: " + ar.cause(), ar.cause());
              } else {
                LOG.log(Level.DEBUG, "hashed " + ar.result() + " file(s) in " + root);
                if (ar.result() > 0 && !closed) {
                  onHashed.run();
                }
              }
              hashPending();
            });
  }
}
