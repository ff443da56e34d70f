package p2psync.peer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.OnContext;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;
import p2psync.peer.delta.DeltaClient;
import p2psync.peer.delta.DeltaStatus;
import p2psync.peer.delta.DirectorySweep;
import p2psync.peer.sync.FolderSync;
import p2psync.peer.sync.FolderWatcher;
import p2psync.peer.sync.SyncStatus;
import p2psync.peer.v2.FolderHashes;
import p2psync.peer.web.PeerWeb;

/**
 * A seed-protocol peer: serves its folder on the file port, advertises it to the tracker, and after
 * every directory pulls each name it lacks or holds older from the peer the tracker names.
 */
public class PeerVerticle extends VerticleBase {
  private static final Logger LOG = System.getLogger(PeerVerticle.class.getName());

  private final TransferCounters transfers = new TransferCounters();
  private final PeerMetrics metrics = new PeerMetrics();
  private PeerWeb web;
  private PeerOptions options;
  private LocalFolder folder;
  private FileServer fileServer;
  private Downloader downloader;
  private TrackerClient tracker;
  private FolderWatcher watcher;

  /** v2 with deltas: the periodic look at every held name; null for a seed-only peer. */
  private DirectorySweep sweep;

  /** The folder's hashes when this peer speaks v2; null for a seed-only peer. */
  private FolderHashes hashes;

  /** v2 sync semantics (deletions, conflicts, trash); null for a seed-only peer. */
  private FolderSync sync;

  private int actualPort;
  private int advertisedPort;
  private Set<String> localAddresses = Set.of();

  /** Local names and mtimes, from the latest scan plus the downloads since. */
  private Map<String, Long> index = new HashMap<>();

  /** Syncable names held locally by a folder or a link: never downloaded over. */
  private Set<String> occupied = Set.of();

  /** Downloads committed while a scan runs, which that scan may have missed. */
  private final Map<String, Long> committedDuringScan = new HashMap<>();

  private int scansRunning;

  /** Whole scans of the folder so far (written on the event loop, read anywhere). */
  private volatile long scans;

  /**
   * The latest scan, when the watcher has seen every change since it began: the next one may look
   * only at the names changed since ({@link LocalFolder#rescan}); null: the next one is whole.
   */
  private LocalFolder.Scan base;

  /** Names this peer wrote (downloads) since the latest scan began: looked at by the next one. */
  private Set<String> written = new HashSet<>();

  /** Scans begun so far: only the latest one begun may become {@link #base}. */
  private long scansBegun;

  private String lastDirectoryLine;

  /**
   * Names the latest directory said to download: looked at again after every directory, changed or
   * not, so a failed download is retried at the next reply as after a seed line, while a reply that
   * changes nothing costs nothing else.
   */
  private final Set<String> wanted = new HashSet<>();

  /** Deployed by name: reads {@link PeerOptions} from the deployment config. */
  public PeerVerticle() {}

  public PeerVerticle(PeerOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    if (options == null) {
      options = new PeerOptions(config());
    }
    folder = new LocalFolder(options.getDir(), options.getProtocol() == 2);
    hashes = options.getProtocol() == 2 ? new FolderHashes(vertx, folder.root()) : null;
    if (hashes != null) {
      hashes.setSaveSpacing(options.getSync().getKeepAliveInterval(), System::nanoTime);
    }
    sync =
        hashes == null
            ? null
            : new FolderSync(vertx, folder.root(), options.getSync(), Clock.systemUTC());
    fileServer = new FileServer(vertx, folder, options.getSync(), metrics, hashes);
    downloader =
        new Downloader(
            vertx,
            folder,
            options.getSync(),
            transfers,
            metrics,
            this::downloaded,
            source -> isSelf(source.ip(), source.port()));
    if (sync != null) {
      downloader.setHashSeedTransfers(true);
      downloader.setDisplacer(sync);
      sync.downloading(downloader::isDownloading);
    }
    return vertx
        .executeBlocking(this::prepareFolder)
        .compose(v -> hashes == null ? Future.succeededFuture() : hashes.open())
        .compose(v -> downloader.restorePartials())
        .compose(v -> sync == null ? Future.succeededFuture() : sync.open())
        .compose(v -> fileServer.listen(options.getHost(), options.getPort()))
        .compose(
            port ->
                startWeb()
                    .map(port)
                    .recover(e -> fileServer.close().transform(ar -> Future.failedFuture(e))))
        .onSuccess(
            port -> {
              actualPort = port;
              advertisedPort =
                  options.getAdvertisedPort() == PeerOptions.SAME_AS_LISTENING
                      ? port
                      : options.getAdvertisedPort();
              LOG.log(
                  Level.INFO,
                  "Waiting for connections on port "
                      + port
                      + (advertisedPort != port ? " (advertised as " + advertisedPort + ")" : ""));
              if (hashes != null) {
                // hash the folder now, not at the tracker's first reply: v2 requests are served
                // only for hashed files, and the tracker may be away
                advertisement(true)
                    .onFailure(
                        e ->
                            LOG.log(
                                Level.WARNING, "cannot read the folder: " + Failures.reason(e), e));
              }
              tracker =
                  new TrackerClient(
                      vertx,
                      options,
                      advertisedPort,
                      this::advertisement,
                      this::onDirectoryLine,
                      this::onDirectoryDelta);
              if (hashes != null) {
                hashes.onHashed(tracker::advertiseNow);
                sync.onChanged(tracker::advertiseNow);
                sync.onWritten(written::add);
                sync.onRefused(tracker::readvertise);
                sweep = new DirectorySweep(vertx, this::heldDirectory, this::sweepLook);
                sweep.start(options.getSync().getDirectorySweepInterval());
              }
              tracker.start();
              startWatching();
            });
  }

  /**
   * A change in the folder is advertised once it is quiet for {@code watchDelay} instead of at the
   * next keepalive; seed peers too, as that changes only when a message is sent, not its bytes.
   */
  private void startWatching() {
    if (options.getSync().getWatchDelay().isZero()) {
      return;
    }
    watcher =
        new FolderWatcher(
            vertx,
            context,
            folder.root(),
            options.getSync().getWatchDelay(),
            tracker::advertiseNow);
    watcher.start();
    tracker.setWatched(watcher::isWatching);
  }

  /**
   * The status API and /metrics, when {@code httpPort} is set: on this verticle's context, so their
   * handlers read the peer's state on its event loop.
   */
  private Future<?> startWeb() {
    if (!options.getHttp().isEnabled()) {
      return Future.succeededFuture();
    }
    web = new PeerWeb(vertx, this, metrics.registry);
    return web.listen(options.getHttp());
  }

  /** Completes once the running downloads failed and their temp files are gone. */
  @Override
  public Future<?> stop() {
    if (watcher != null) {
      watcher.close();
    }
    if (sweep != null) {
      sweep.stop();
    }
    return Future.join(
        downloader.close(),
        tracker == null ? Future.succeededFuture() : tracker.stop(),
        fileServer.close(),
        web == null ? Future.succeededFuture() : web.close(),
        hashes == null ? Future.succeededFuture() : hashes.close(),
        sync == null ? Future.succeededFuture() : sync.close());
  }

  /** The port of the HTTP endpoint, once started; -1 when it is off. */
  public int httpPort() {
    return web == null ? -1 : web.port();
  }

  /** This peer's {@code p2psync_peer_*} meters. */
  public PrometheusMeterRegistry meters() {
    return metrics.registry;
  }

  /** What a status page shows, built on the peer's event loop: callable from any thread. */
  public Future<PeerStatus> status() {
    return OnContext.call(
            context, () -> sync == null ? Future.<SyncStatus>succeededFuture(null) : sync.status())
        .compose(syncStatus -> syncStatus)
        .compose(syncStatus -> OnContext.call(context, () -> statusNow(syncStatus)));
  }

  private PeerStatus statusNow(SyncStatus syncStatus) {
    return new PeerStatus(
        folder.root().toString(),
        actualPort,
        advertisedPort,
        tracker == null ? null : tracker.currentTracker(),
        isTrackerConnected(),
        Collections.unmodifiableMap(new TreeMap<>(index)),
        downloader.running(),
        downloader.recent(),
        transfers.completed(),
        transfers.failed(),
        syncStatus);
  }

  /**
   * v2: the peer's copy of the tracker's versioned directory, built on its event loop; null for a
   * seed peer (or before the peer started). Callable from any thread.
   */
  public Future<DeltaStatus> deltaStatus() {
    return OnContext.call(
        context,
        () -> tracker == null || tracker.deltas() == null ? null : tracker.deltas().status());
  }

  /** The port the file server listens on. */
  public int actualPort() {
    return actualPort;
  }

  /** v2: files hashed by reading them from the folder (not as they were downloaded); 0 for seed. */
  long filesHashedFromDisk() {
    return hashes == null ? 0 : hashes.filesRead();
  }

  /** Whole scans of the folder so far. */
  long scans() {
    return scans;
  }

  /** The port told to the tracker. */
  public int advertisedPort() {
    return advertisedPort;
  }

  public boolean isTrackerConnected() {
    return tracker != null && tracker.isConnected();
  }

  /** This run's download totals; safe to read from any thread. */
  public TransferCounters transfers() {
    return transfers;
  }

  private Void prepareFolder() throws IOException {
    if (!Files.isDirectory(folder.root())) {
      throw new IOException("not a folder: " + folder.root());
    }
    int removed = folder.removeStaleTempFiles();
    if (removed > 0) {
      LOG.log(Level.INFO, "removed " + removed + " unfinished download(s) left by an earlier run");
    }
    localAddresses = findLocalAddresses();
    return null;
  }

  private static Set<String> findLocalAddresses() throws IOException {
    Set<String> addresses = new HashSet<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        String host = address.getHostAddress();
        int scope = host.indexOf('%');
        addresses.add(scope < 0 ? host : host.substring(0, scope));
      }
    }
    addresses.add("127.0.0.1");
    addresses.add("0:0:0:0:0:0:0:1");
    addresses.add("::1");
    return addresses;
  }

  /**
   * Rescans the folder; the index follows the disk, keeping downloads that finished meanwhile.
   * Looks only at the names changed since the last scan when the watcher has seen them all, unless
   * {@code whole} (the rescan every rescanInterval, the safety net for what a watcher may miss).
   */
  private Future<LocalFolder.Scan> scan(boolean whole) {
    Set<String> changed = watcher == null ? null : watcher.takeChanged();
    LocalFolder.Scan from = whole || scansRunning > 0 || changed == null ? null : base;
    Set<String> look = written;
    written = new HashSet<>();
    if (from != null) {
      look.addAll(changed);
    }
    // a base only if the watcher sees every change from before this scan's look on
    boolean baseable = watcher != null && watcher.isWatching();
    long begun = ++scansBegun;
    scansRunning++;
    if (from == null) {
      scans++;
    }
    return vertx
        .executeBlocking(() -> from == null ? folder.scan() : folder.rescan(from, look), false)
        .transform(
            ar -> {
              scansRunning--;
              if (begun == scansBegun) {
                base = baseable && ar.succeeded() ? ar.result() : null;
              }
              LocalFolder.Scan seen = ar.succeeded() ? withCommitted(ar.result()) : null;
              if (scansRunning == 0) {
                committedDuringScan.clear();
              }
              if (ar.failed()) {
                return Future.failedFuture(ar.cause());
              }
              Map<String, Long> before = index;
              index = new HashMap<>(seen.files());
              // a file gone or older here: downloaded again after the next directory, even one
              // that changes nothing (as a seed line's next reply would)
              before.forEach(
                  (name, mtime) -> {
                    Long now = index.get(name);
                    if (now == null || now < mtime) {
                      wanted.add(name);
                    }
                  });
              // a name a folder or link held, now free: the directory's version is fetched after
              // the next directory, though no delta names it again
              occupied.stream()
                  .filter(name -> !seen.occupied().contains(name))
                  .forEach(wanted::add);
              occupied = seen.occupied();
              return Future.succeededFuture(seen);
            });
  }

  /**
   * A scan with the downloads that landed while it ran, which it may have missed: newer than what
   * it saw (their keys are left to a fresh look).
   */
  private LocalFolder.Scan withCommitted(LocalFolder.Scan scan) {
    if (committedDuringScan.isEmpty()) {
      return scan;
    }
    LocalFolder.Scan seen =
        new LocalFolder.Scan(
            new TreeMap<>(scan.files()), scan.occupied(), new HashMap<>(scan.keys()));
    seen.files().putAll(committedDuringScan);
    seen.keys().keySet().removeAll(committedDuringScan.keySet());
    return seen;
  }

  /**
   * What to tell the tracker: the folder's files, with their hashes when we speak v2; {@code
   * whole}: from a look at every file.
   */
  private Future<List<FileEntry>> advertisement(boolean whole) {
    long scan = sync == null ? 0 : sync.beginScan();
    return scan(whole)
        .compose(
            seen ->
                hashes == null
                    ? Future.succeededFuture(LocalFolder.entries(seen.files()))
                    : hashes
                        .entries(seen.files(), seen.keys())
                        .map(entries -> sync.advertise(scan, entries)));
  }

  private void downloaded(Download.Result result) {
    if (result.sha256() != null && hashes != null) {
      // hashed while it streamed (and verified, for a v2 transfer): the hash cache learns it
      // without reading the file again
      hashes
          .downloaded(
              result.name(),
              result.sha256(),
              result.source().v2() == null ? result.bytes() : result.source().v2().size(),
              result.source().mtime())
          .onFailure(
              e ->
                  LOG.log(
                      Level.WARNING,
                      "cannot record the hash of " + result.name() + ": " + Failures.reason(e),
                      e));
    }
    if (sync != null) {
      sync.downloaded(
          result.name(),
          result.source().mtime(),
          result.source().v2() == null ? result.bytes() : result.source().v2().size(),
          result.sha256());
    }
    index.put(result.name(), result.source().mtime());
    written.add(result.name());
    if (scansRunning > 0) {
      committedDuringScan.put(result.name(), result.source().mtime());
    }
  }

  private void onDirectoryLine(Buffer line) {
    SeedCodec.Directory directory;
    try {
      directory = SeedCodec.decodeDirectory(line);
    } catch (ProtocolException e) {
      LOG.log(
          Level.WARNING, "ignoring a bad directory line from the tracker: " + e.getMessage(), e);
      return;
    }
    String text = line.toString();
    boolean changed = !text.equals(lastDirectoryLine);
    if (changed) {
      LOG.log(Level.INFO, "received from tracker: " + text);
      lastDirectoryLine = text;
      if (!directory.rejected().isEmpty()) {
        LOG.log(
            Level.WARNING,
            "the tracker listed entries we never sync, ignored: " + directory.rejected());
      }
    }
    downloader.retainPartials(directory.entries());
    wanted.clear();
    if (sync != null) {
      sync.onDirectory(directory.entries());
    }
    directory.entries().forEach((name, entry) -> consider(name, entry, changed));
  }

  /**
   * A versioned directory (v2 deltas): only the names it changed, and the names still wanted, are
   * looked at; {@code entries} is the whole directory as applied.
   */
  private void onDirectoryDelta(Map<String, DirectoryEntry> entries, Set<String> changedNames) {
    if (!changedNames.isEmpty()) {
      LOG.log(
          Level.INFO,
          "directory from tracker: "
              + changedNames.size()
              + " name(s) changed, "
              + entries.size()
              + " in all");
      downloader.retainPartials(entries);
    }
    Set<String> names = new HashSet<>(changedNames);
    if (sync != null) {
      // names whose side here changed since they were looked at: the peer and its sync state look
      // at the same names, whatever the delta changed
      names.addAll(sync.takeRelook());
      sync.onDirectoryDelta(entries, names);
    }
    for (String name : wanted) {
      // a name still queued or downloading, its entry unchanged, has nothing new to look at: it
      // stays wanted. Looking at each of them again made every delta cost a pass over the queue
      // (10,000 names while a fresh peer catches up, several deltas a second)
      if (!downloader.isDownloading(name)) {
        names.add(name);
      }
    }
    for (String name : names) {
      DirectoryEntry entry = entries.get(name);
      wanted.remove(name);
      if (entry != null) {
        consider(name, entry, changedNames.contains(name));
      }
    }
  }

  /** The directory the deltas built, when there is one: what the sweep looks at. */
  private Map<String, DirectoryEntry> heldDirectory() {
    DeltaClient deltas = tracker == null ? null : tracker.deltas();
    return deltas == null || deltas.applied() == 0 ? null : deltas.entries();
  }

  /**
   * A batch of the sweep: {@code names} looked at as a directory naming them would, except those
   * the next directory looks at anyway (wanted, or waiting to be looked at again). A download it
   * starts is one nothing else would have asked for: logged, as it points at a reason to look again
   * that nothing noticed.
   */
  private void sweepLook(Map<String, DirectoryEntry> entries, Set<String> names) {
    Set<String> due = new HashSet<>(names);
    due.removeIf(name -> wanted.contains(name) || sync.relooking(name));
    sync.look(entries, due);
    for (String name : due) {
      DirectoryEntry entry = entries.get(name);
      if (entry == null || downloader.isDownloading(name)) {
        continue;
      }
      consider(name, entry, false);
      if (downloader.isDownloading(name)) {
        LOG.log(
            Level.INFO,
            "the directory sweep found "
                + name
                + " to fetch (the directory's mtime "
                + entry.mtime()
                + (entry.v2() == null ? "" : ", sha256 " + entry.v2().sha256().substring(0, 12))
                + "; here "
                + (index.containsKey(name) ? "mtime " + index.get(name) : "none")
                + "); no delta named it");
      }
    }
  }

  /** Downloads the directory's entry for {@code name} if needed. */
  private void consider(String name, DirectoryEntry entry, boolean changed) {
    String skipped = whyNotDownload(name, entry);
    if (skipped == null && downloader.isDownloading(name)) {
      wanted.add(name); // being fetched already: no local copy racing it for the name
    } else if (skipped == null && sync != null && entry.v2() != null) {
      wanted.add(name);
      // the same content may be here already (a rename, the trash): no transfer then
      sync.copyLocally(name, entry)
          .onSuccess(
              copied -> {
                if (copied) {
                  downloader.dropPartial(name);
                  downloaded(
                      new Download.Result(name, entry, entry.v2().size(), entry.v2().sha256()));
                } else {
                  downloader.request(name, entry);
                }
              });
    } else if (skipped == null) {
      wanted.add(name);
      downloader.request(
          name,
          hashes == null && entry.v2() != null
              ? new DirectoryEntry(entry.ip(), entry.port(), entry.mtime())
              : entry);
    } else {
      if (sync != null && sync.passing(name)) {
        wanted.add(name); // looked at again by the next delta, which may not name it
      }
      if (sync != null && !downloader.isDownloading(name)) {
        // v2 sync: not wanted (the content is here, or deleted): a kept prefix of it would never
        // be resumed
        downloader.dropPartial(name);
      }
      if (changed) {
        // once per new directory: the same line comes back after every KeepAlive
        LOG.log(
            Level.DEBUG,
            () -> "not downloading " + name + " from " + entry.address() + ": " + skipped);
      }
    }
  }

  /** Why the directory's entry for {@code name} needs no download, or null when it does. */
  private String whyNotDownload(String name, DirectoryEntry entry) {
    Long local = index.get(name);
    if (isSelf(entry)) {
      return "that is this peer";
    }
    if (occupied.contains(name)) {
      return "a folder or link holds the name here";
    }
    if (sync != null) {
      return sync.whyNotDownload(name, entry);
    }
    if (local != null && local >= entry.mtime()) {
      return "the local copy is as new (mtime " + local + ", theirs " + entry.mtime() + ")";
    }
    return null;
  }

  private boolean isSelf(DirectoryEntry entry) {
    return isSelf(entry.ip(), entry.port());
  }

  private boolean isSelf(String ip, int port) {
    return port == advertisedPort && localAddresses.contains(ip);
  }
}
