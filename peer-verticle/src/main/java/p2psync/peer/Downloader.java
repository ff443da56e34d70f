package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Predicate;
import p2psync.common.DirectoryEntry;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Entry;
import p2psync.peer.ranges.RangedDownload;
import p2psync.peer.receive.Pipeline;
import p2psync.peer.receive.Writers;
import p2psync.peer.sync.Displacer;
import p2psync.peer.v2.ContentMismatch;
import p2psync.peer.v2.Partial;
import p2psync.peer.v2.PartialStore;
import p2psync.peer.v2.SourcePicker;

/**
 * Runs the downloads a directory asks for: each name at most once at a time, at most {@code
 * maxConcurrentDownloads} at once, the rest queued (a queued name takes the newest source the
 * tracker named). A failed seed download is simply tried again on the next directory. A v2 entry
 * lists every holder of the version: the {@link SourcePicker} chooses one, and a failure moves on
 * to the next holder at once, each holder tried at most once per directory.
 */
final class Downloader {
  private static final Logger LOG = System.getLogger(Downloader.class.getName());

  private final Vertx vertx;
  private final LocalFolder folder;
  private final SyncConfig config;
  private final NetClient client;
  private final TransferCounters counters;
  private final Consumer<Download.Result> onDownloaded;
  private final Map<String, DirectoryEntry> queued = new LinkedHashMap<>();
  private final Map<String, Download> running = new HashMap<>();

  /** Large v2 files being fetched in ranges from several holders at once, by name. */
  private final Map<String, RangedDownload> ranged = new HashMap<>();

  /**
   * Versions ({@code name sha256}) whose ranged download failed verification: a whole-file hash
   * cannot tell which holder's range was wrong, so from then on they come from one holder at a
   * time, where a liar is caught.
   */
  private final Set<String> singleSource = new HashSet<>();

  /** The latest finished or failed transfers, newest first, for the status page. */
  private final ArrayDeque<PeerStatus.Transfer> recent = new ArrayDeque<>();

  private static final int MAX_RECENT = 50;
  private final PeerMetrics metrics;

  /** Per name, the holders tried since the directory last asked for it. */
  private final Map<String, Set<String>> tried = new HashMap<>();

  private final SourcePicker picker = new SourcePicker();

  /** Prefixes of interrupted v2 downloads, by name, for the next attempt to resume. */
  private final Map<String, Partial> partials = new HashMap<>();

  /**
   * Versions ({@code name sha256}) whose resumed download failed verification: which holder sent
   * the bad bytes is unknown, so from then on each attempt starts from byte 0, where a liar is
   * caught.
   */
  private final Set<String> noResume = new HashSet<>();

  private final Predicate<V2Entry.Source> isSelf;

  /** Where kept prefixes wait while the peer is stopped. */
  private final PartialStore store;

  /** Threads that write (and for v2 hash) received bytes into temp files, off the event loop. */
  private final ExecutorService writers = Writers.newPool(WRITER_THREADS);

  /**
   * Writer threads of one peer. Two: the writer's work per byte (a hash and a copy into the page
   * cache) is less than the event loop's, so two keep up with the network on this 2-core machine
   * while an fsync blocks one of them (docs/benchmarks.md, section 7).
   */
  static final int WRITER_THREADS = 2;

  /** Connections open for downloads: at most {@code maxConcurrentDownloads}. */
  private int connections;

  private boolean startScheduled;

  /**
   * Largest v2 file that goes on a shared connection: bigger ones get their own, so that they
   * spread over holders and a small file never waits behind a big one.
   */
  static final long PIPELINE_MAX_BYTES = 1024 * 1024;

  /**
   * Most requests pipelined on one connection: 64 lines of under 1 KiB (a 255-byte name
   * JSON-escaped) stay within the protocol's 64 KiB of requests sent ahead
   * (FileServer.PIPELINED_REQUEST_BYTES).
   */
  static final int PIPELINE_MAX_FILES = 64;

  private boolean closed;

  /** Makes way for a download where a local file holds the name (v2 sync); null: overwrite. */
  private Displacer displacer;

  /** A v2 peer's: seed transfers are hashed as they stream too (see {@link Download}). */
  private boolean hashSeedTransfers;

  /** Hash seed transfers as they stream, so a v2 peer need not read what it fetched again. */
  void setHashSeedTransfers(boolean hash) {
    this.hashSeedTransfers = hash;
  }

  Downloader(
      Vertx vertx,
      LocalFolder folder,
      SyncConfig config,
      TransferCounters counters,
      PeerMetrics metrics,
      Consumer<Download.Result> onDownloaded,
      Predicate<V2Entry.Source> isSelf) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.isSelf = isSelf;
    this.folder = folder;
    this.config = config;
    this.counters = counters;
    this.onDownloaded = onDownloaded;
    this.store = new PartialStore(folder.root());
    this.client =
        vertx.createNetClient(
            new NetClientOptions()
                .setConnectTimeout((int) config.getConnectTimeout().toMillis())
                .setTcpNoDelay(true));
  }

  /** v2 sync: a local file makes way through this before a download takes its name. */
  void setDisplacer(Displacer displacer) {
    this.displacer = displacer;
  }

  /** Whether a download of {@code name} is queued or running. */
  boolean isDownloading(String name) {
    return running.containsKey(name) || ranged.containsKey(name) || queued.containsKey(name);
  }

  /** Asks for {@code name} from {@code source}, unless it is already being fetched. */
  void request(String name, DirectoryEntry source) {
    if (closed) {
      return;
    }
    if (running.containsKey(name) || ranged.containsKey(name)) {
      LOG.log(
          Level.DEBUG,
          () ->
              "not requesting " + name + " from " + source.address() + ": its download is running");
      return;
    }
    tried.remove(name);
    queued.put(name, source);
    scheduleStart();
  }

  /**
   * Starts queued downloads once the caller's turn is over: a directory (or a pipeline cut short)
   * queues all its names first, so that small ones share connections (pipelining) instead of each
   * taking one while the queue fills.
   */
  private void scheduleStart() {
    if (!startScheduled) {
      startScheduled = true;
      vertx.runOnContext(
          v -> {
            startScheduled = false;
            if (!closed) {
              startQueued();
              LOG.log(
                  Level.DEBUG,
                  () ->
                      connections
                          + " download connections open (maxConcurrentDownloads), "
                          + queued.size()
                          + " files queued");
            }
          });
    }
  }

  /**
   * Reads back the prefixes a stopped peer kept ({@link PartialStore}); those that do not verify
   * are deleted. The first directory then drops those whose version it no longer offers.
   */
  Future<Void> restorePartials() {
    return vertx
        .executeBlocking(store::loadAll, false)
        .onSuccess(
            loaded -> {
              loaded.forEach(
                  (name, partial) ->
                      LOG.log(
                          Level.INFO,
                          "resuming "
                              + name
                              + " from byte "
                              + partial.length()
                              + " (kept before the last stop)"));
              partials.putAll(loaded);
            })
        .recover(
            e -> {
              LOG.log(Level.WARNING, "cannot read the kept prefixes: " + Failures.reason(e), e);
              return Future.succeededFuture(Map.of());
            })
        .mapEmpty();
  }

  /**
   * Drops the queue and stops the running downloads; completes once their temp files are gone from
   * the folder, so that a stopped peer leaves no {@code .part} file there: a v2 prefix worth
   * resuming is moved into the peer's hidden state instead ({@link PartialStore}), the rest is
   * deleted.
   */
  Future<Void> close() {
    closed = true;
    queued.clear();
    // A copy: a download may finish within stop() (its temp file deleted on a worker before the
    // listener is attached: Vert.x then calls it at once), and its completion removes it from
    // running.
    List<Future<Void>> stopping =
        new ArrayList<>(List.copyOf(running.values()).stream().map(Download::stop).toList());
    List.copyOf(ranged.values()).forEach(download -> stopping.add(download.stop()));
    // The downloads' failure handlers (registered before stop()'s) have put their prefixes into
    // partials by the time these complete.
    return Future.join(stopping)
        .transform(ar -> keepPartials())
        .transform(
            ar -> {
              writers.shutdown(); // every temp file is closed: nothing is queued any more
              return client
                  .close()
                  .recover(
                      e -> {
                        LOG.log(
                            Level.DEBUG,
                            "closing the download client failed: " + Failures.reason(e),
                            e);
                        return Future.succeededFuture();
                      });
            });
  }

  /** Moves every kept prefix into the hidden state; one that cannot be kept is deleted. */
  private Future<Void> keepPartials() {
    Map<String, Partial> keep = new HashMap<>(partials);
    partials.clear();
    return vertx.executeBlocking(
        () -> {
          keep.forEach(
              (name, partial) -> {
                try {
                  store.save(name, partial);
                } catch (IOException | RuntimeException e) {
                  LOG.log(
                      Level.WARNING,
                      "cannot keep the prefix of " + name + ", deleting it: " + Failures.reason(e),
                      e);
                  try {
                    Files.deleteIfExists(partial.path());
                  } catch (IOException gone) {
                    LOG.log(Level.WARNING, "cannot delete " + partial.path(), gone);
                  }
                }
              });
          return null;
        },
        false);
  }

  /** Transfers under way, for the status page. */
  List<PeerStatus.Transfer> running() {
    List<PeerStatus.Transfer> all =
        new ArrayList<>(running.values().stream().map(Download::progressNow).toList());
    ranged.forEach((name, download) -> all.add(rangedTransfer(name, download, "running", null)));
    return all;
  }

  private static PeerStatus.Transfer rangedTransfer(
      String name, RangedDownload download, String state, String reason) {
    return new PeerStatus.Transfer(
        name,
        download.holdersNow(),
        download.received(),
        download.size(),
        download.startedAt(),
        System.currentTimeMillis() - download.startedAt(),
        state,
        reason);
  }

  /** The latest transfers that ended, newest first. */
  List<PeerStatus.Transfer> recent() {
    return List.copyOf(recent);
  }

  /**
   * A failure's kind, for the {@code reason} tag of the failed-downloads counter: few values, so
   * the metric stays one series per kind (the full reason is in the log and the status page). From
   * the wording {@link Download} gives its failures: the outermost failure in the cause chain that
   * says what went wrong decides ("cannot store the file" wraps "wrote 3 of 5 bytes": disk).
   */
  static String kind(Throwable failure) {
    // bounded: a cause chain may loop
    Throwable current = failure;
    for (int depth = 0; current != null && depth < 16; depth++) {
      String kind = ownKind(Failures.reason(current));
      if (kind != null) {
        return kind;
      }
      current = current.getCause();
    }
    return "other";
  }

  private static String ownKind(String reason) {
    if (reason.startsWith("cannot connect")) {
      return "connect";
    } else if (reason.startsWith("no data for") || reason.startsWith("transfer took longer")) {
      return "timeout";
    } else if (reason.startsWith("bad response")) {
      return "bad_response";
    } else if (reason.startsWith("connection error")) {
      return "connection";
    } else if (reason.startsWith("the peer is stopping")) {
      return "stopped";
    } else if (reason.startsWith("the local copy changed")) {
      return "superseded";
    } else if (reason.startsWith("cannot write")
        || reason.startsWith("cannot create")
        || reason.startsWith("wrote ")) {
      return "disk";
    }
    return null;
  }

  private static boolean notAnswered(Throwable failure) {
    return failure instanceof Pipeline.NotAnswered
        || failure.getCause() instanceof Pipeline.NotAnswered;
  }

  /**
   * A new directory: kept prefixes of versions it no longer offers are deleted. A prefix is kept
   * only while some holder may send the rest; when the last one is gone, the folder holds no
   * partial file, as after a seed download that failed.
   */
  void retainPartials(Map<String, DirectoryEntry> directory) {
    partials
        .entrySet()
        .removeIf(
            kept -> {
              DirectoryEntry entry = directory.get(kept.getKey());
              Partial partial = kept.getValue();
              boolean offered =
                  entry != null
                      && entry.v2() != null
                      && entry.v2().sha256().equals(partial.sha256())
                      && entry.mtime() == partial.mtime();
              if (!offered) {
                discard(partial);
              }
              return !offered;
            });
  }

  /**
   * {@code name} is not to be downloaded now (v2 sync: its content is here already, or it was
   * deleted): a kept prefix of it would never be resumed, so it goes, as no partial file may stay.
   */
  void dropPartial(String name) {
    Partial partial = partials.remove(name);
    if (partial != null) {
      discard(partial);
    }
  }

  /** Deletes a kept prefix; a failure is logged, as the next start deletes it anyway. */
  private Future<Void> discard(Partial partial) {
    return vertx
        .fileSystem()
        .delete(partial.path().toString())
        .recover(
            e -> {
              LOG.log(
                  Level.WARNING, "cannot delete " + partial.path() + ": " + Failures.reason(e), e);
              return Future.succeededFuture();
            });
  }

  /**
   * Starts connections while fewer than {@code maxConcurrentDownloads} are open. A v2 file of at
   * most {@link #PIPELINE_MAX_BYTES} takes along, on the same connection, up to {@link
   * #PIPELINE_MAX_FILES} - 1 other queued small v2 files the same holder has (pipelined requests):
   * one connection, one round trip and one server upload slot for many small files.
   */
  private void startQueued() {
    while (connections < config.getMaxConcurrentDownloads() && !queued.isEmpty()) {
      var it = queued.entrySet().iterator();
      Map.Entry<String, DirectoryEntry> next = it.next();
      it.remove();
      String name = next.getKey();
      DirectoryEntry entry = next.getValue();
      if (startRanged(name, entry)) {
        continue;
      }
      V2Entry.Source chosen = null;
      if (entry.v2() != null) {
        chosen = picker.pick(entry.v2(), tried.computeIfAbsent(name, k -> new HashSet<>()), isSelf);
        if (chosen == null) {
          LOG.log(
              Level.DEBUG,
              () -> "no holder of " + name + " left to try until the next directory names one");
          continue;
        }
        tried.get(name).add(chosen.address());
      }
      Map<String, DirectoryEntry> batch = new LinkedHashMap<>();
      batch.put(name, entry);
      if (chosen != null && entry.v2().size() <= PIPELINE_MAX_BYTES) {
        takeAlong(chosen, batch);
      }
      connections++;
      String ip = chosen == null ? entry.ip() : chosen.ip();
      int port = chosen == null ? entry.port() : chosen.port();
      Pipeline pipeline =
          new Pipeline(
              client,
              ip,
              port,
              v -> {
                connections--;
                scheduleStart();
              });
      V2Entry.Source source = chosen;
      batch.forEach((n, e) -> start(n, e, source, pipeline));
    }
  }

  /**
   * Starts {@code name} as a ranged download when it is a v2 file of at least {@code
   * rangedMinBytes} with two or more holders to try and room for two or more connections, and
   * neither a kept prefix (which resumes from one holder) nor a failed verification in ranges.
   * Takes one of {@code maxConcurrentDownloads} per holder it uses, until it ends.
   */
  private boolean startRanged(String name, DirectoryEntry entry) {
    V2Entry v2 = entry.v2();
    int room =
        Math.min(config.getMaxRangeConnections(), config.getMaxConcurrentDownloads() - connections);
    if (v2 == null
        || v2.size() < config.getRangedMinBytes()
        || room < 2
        || partials.containsKey(name)
        || singleSource.contains(name + " " + v2.sha256())) {
      return false;
    }
    Set<String> triedFor = tried.computeIfAbsent(name, k -> new HashSet<>());
    List<V2Entry.Source> holders = new ArrayList<>();
    V2Entry.Source holder;
    while (holders.size() < room && (holder = picker.pick(v2, triedFor, isSelf)) != null) {
      holders.add(holder);
      triedFor.add(holder.address());
    }
    if (holders.size() < 2) {
      for (V2Entry.Source unused : holders) {
        picker.released(unused);
        triedFor.remove(unused.address());
      }
      return false;
    }
    connections += holders.size();
    Set<V2Entry.Source> givenUp = new HashSet<>();
    long mtimeMillis = Math.multiplyExact(entry.mtime(), 1000L);
    RangedDownload download =
        new RangedDownload(
            vertx,
            writers,
            client,
            config,
            name,
            v2,
            holders,
            folder.root(),
            (temp, size) -> Download.commit(folder, name, temp, size, mtimeMillis, displacer),
            new RangedDownload.Holders() {
              @Override
              public void failed(V2Entry.Source holder, Throwable cause) {
                givenUp.add(holder);
                picker.failed(holder);
              }

              @Override
              public void lied(V2Entry.Source holder, Throwable cause) {
                givenUp.add(holder);
                picker.servedWrongContent(holder, v2.sha256());
              }
            });
    ranged.put(name, download);
    String from = download.holdersNow();
    download
        .start()
        .onSuccess(
            sha256 -> {
              completed(name, v2.size(), "in ranges from " + from + ", SHA-256 verified");
              holders.stream().filter(h -> !givenUp.contains(h)).forEach(picker::succeeded);
              tried.remove(name);
              V2Entry.Source first = holders.get(0);
              onDownloaded.accept(
                  new Download.Result(
                      name,
                      new DirectoryEntry(first.ip(), first.port(), entry.mtime(), v2),
                      v2.size(),
                      sha256));
            })
        .onFailure(
            e -> {
              failed(name, "in ranges from " + from, e);
              holders.stream().filter(h -> !givenUp.contains(h)).forEach(picker::released);
              if (e instanceof ContentMismatch) {
                // Nobody to blame: one holder at a time from now on, every holder may be tried.
                singleSource.add(name + " " + v2.sha256());
                tried.remove(name);
              }
              if (!closed && !queued.containsKey(name)) {
                queued.put(name, entry);
              }
            })
        .onComplete(
            ar -> {
              ranged.remove(name);
              connections -= holders.size();
              metrics.bytesReceived(download.received());
              remember(
                  rangedTransfer(
                      name,
                      download,
                      ar.succeeded() ? "done" : "failed",
                      ar.succeeded() ? null : Failures.reason(ar.cause())));
              scheduleStart();
            });
    return true;
  }

  /** Moves queued small v2 files that {@code holder} has, and may serve us, into {@code batch}. */
  private void takeAlong(V2Entry.Source holder, Map<String, DirectoryEntry> batch) {
    var it = queued.entrySet().iterator();
    while (batch.size() < PIPELINE_MAX_FILES && it.hasNext()) {
      Map.Entry<String, DirectoryEntry> candidate = it.next();
      V2Entry v2 = candidate.getValue().v2();
      Set<String> triedFor = tried.computeIfAbsent(candidate.getKey(), k -> new HashSet<>());
      if (v2 != null
          && v2.size() <= PIPELINE_MAX_BYTES
          && v2.sources().contains(holder)
          && !triedFor.contains(holder.address())
          && !picker.isBad(holder, v2.sha256())) {
        it.remove();
        triedFor.add(holder.address());
        picker.using(holder);
        batch.put(candidate.getKey(), candidate.getValue());
      }
    }
  }

  private void start(
      String name, DirectoryEntry entry, V2Entry.Source v2Source, Pipeline pipeline) {
    DirectoryEntry source =
        v2Source == null
            ? entry
            : new DirectoryEntry(v2Source.ip(), v2Source.port(), entry.mtime(), entry.v2());
    DirectoryEntry from = source;
    Partial partial = partials.remove(name);
    if (partial != null
        && (entry.v2() == null
            || !partial.sha256().equals(entry.v2().sha256())
            || partial.mtime() != entry.mtime()
            || partial.length() > entry.v2().size() // a hostile or corrupt kept prefix
            || noResume.contains(name + " " + partial.sha256()))) {
      discard(partial); // another version now: its prefix is worth nothing
      partial = null;
    }
    Download download =
        new Download(
            vertx, writers, pipeline, folder, config, name, source, partial, hashSeedTransfers);
    download.setDisplacer(displacer);
    running.put(name, download);
    pipeline.register(download);
    download
        .start()
        .onSuccess(
            result -> {
              completed(
                  name,
                  result.bytes(),
                  "from " + from.address() + (v2Source == null ? "" : ", SHA-256 verified"));
              if (v2Source != null) {
                picker.succeeded(v2Source);
              }
              tried.remove(name);
              onDownloaded.accept(result);
            })
        .onFailure(
            e -> {
              if (notAnswered(e)) {
                // An earlier request on its connection failed: nobody to blame, try again at once.
                LOG.log(Level.DEBUG, () -> name + ": " + Failures.reason(e));
                if (e instanceof Download.Interrupted interrupted) {
                  partials.put(name, interrupted.partial());
                }
                if (v2Source != null) {
                  tried.getOrDefault(name, new HashSet<>()).remove(v2Source.address());
                  picker.released(v2Source);
                }
                if (!closed && !queued.containsKey(name)) {
                  queued.put(name, entry);
                }
                return;
              }
              failed(name, "from " + from.address(), e);
              if (e instanceof ContentMismatch mismatch && !mismatch.sourceToBlame()) {
                noResume.add(name + " " + entry.v2().sha256());
              }
              if (e instanceof Download.Interrupted interrupted) {
                if (noResume.contains(name + " " + interrupted.partial().sha256())) {
                  discard(interrupted.partial());
                } else {
                  partials.put(name, interrupted.partial());
                }
              }
              if (v2Source != null) {
                if (e instanceof ContentMismatch mismatch && mismatch.sourceToBlame()) {
                  picker.servedWrongContent(v2Source, entry.v2().sha256());
                } else {
                  picker.failed(v2Source);
                }
                if (!closed && !queued.containsKey(name)) {
                  queued.put(name, entry); // the next holder, at once
                }
              }
            })
        .onComplete(
            ar -> {
              running.remove(name);
              metrics.bytesReceived(download.received());
              remember(download.ended(ar.cause()));
              scheduleStart();
            });
  }

  /** Counts and logs a download that succeeded; {@code how}: "from ...", and more. */
  private void completed(String name, long bytes, String how) {
    counters.addCompleted(bytes);
    metrics.downloadCompleted();
    LOG.log(Level.INFO, "downloaded " + name + " (" + bytes + " bytes) " + how);
  }

  /** Counts and logs a download that failed; {@code from}: "from ...". */
  private void failed(String name, String from, Throwable e) {
    counters.addFailed();
    metrics.downloadFailed(kind(e));
    LOG.log(
        closed ? Level.INFO : Level.WARNING,
        "download of " + name + " " + from + " failed: " + Failures.reason(e),
        e);
  }

  /** Keeps an ended transfer for the status page, dropping the oldest beyond MAX_RECENT. */
  private void remember(PeerStatus.Transfer ended) {
    if (recent.size() == MAX_RECENT) {
      recent.removeLast();
    }
    recent.addFirst(ended);
  }
}
