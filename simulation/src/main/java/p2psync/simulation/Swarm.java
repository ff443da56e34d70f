package p2psync.simulation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import p2psync.common.SyncConfig;
import p2psync.peer.PeerOptions;
import p2psync.peer.PeerVerticle;
import p2psync.peer.TransferCounters;
import p2psync.simulation.toxiproxy.Rebind;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * A tracker and any number of peers in one Vert.x instance, each peer with its own folder under one
 * root: the harness behind the acceptance tests, the demo and the simulations. Peers can be stopped
 * and started again on the same folder; the tracker can be restarted on the same port. Peers may
 * reach the tracker at another address than the one it listens on (a proxy).
 */
public final class Swarm {

  /** One peer of the swarm; {@code verticle} is null while it is stopped. */
  public static final class Peer {
    private final String name;
    private final Path folder;
    private final PeerOptions options;
    // volatile: a simulation samples peers from its own thread while the event loop restarts them
    private volatile PeerVerticle verticle;
    private volatile String deploymentId;

    /**
     * The counters of every run of this peer, so that totals survive a restart: an immutable list,
     * replaced on each start, whose counters are safe to read from any thread.
     */
    private volatile List<TransferCounters> runs = List.of();

    private Peer(String name, Path folder, PeerOptions options) {
      this.name = name;
      this.folder = folder;
      this.options = options;
    }

    public String name() {
      return name;
    }

    public Path folder() {
      return folder;
    }

    public PeerOptions options() {
      return options;
    }

    /** The running verticle; throws when the peer is stopped. */
    public PeerVerticle verticle() {
      return Objects.requireNonNull(verticle, () -> name + " is stopped");
    }

    public boolean isRunning() {
      return verticle != null;
    }

    /** Downloads finished over all of this peer's runs; read from any thread. */
    public long downloadsCompleted() {
      return runs.stream().mapToLong(TransferCounters::completed).sum();
    }

    /** Downloads failed (and left for a retry) over all of this peer's runs. */
    public long downloadsFailed() {
      return runs.stream().mapToLong(TransferCounters::failed).sum();
    }

    /** Bytes of finished downloads over all of this peer's runs. */
    public long bytesDownloaded() {
      return runs.stream().mapToLong(TransferCounters::bytes).sum();
    }
  }

  private final Vertx vertx;
  private final Path root;
  private final SyncConfig config;
  private final Map<String, Peer> peers = new LinkedHashMap<>();
  private String host = "127.0.0.1";
  private TrackerVerticle tracker;
  private String trackerDeployment;
  private int trackerPort;

  /** Where peers reach the tracker, when not where it listens (null: host and trackerPort). */
  private String trackerHostForPeers;

  private int trackerPortForPeers;

  public Swarm(Vertx vertx, Path root, SyncConfig config) {
    this.vertx = vertx;
    this.root = root;
    this.config = config;
  }

  public SyncConfig config() {
    return config;
  }

  /**
   * The address the tracker and the peers' file servers bind (default 127.0.0.1); set it before
   * starting them.
   */
  public Swarm setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  /** Starts the tracker on {@code port} (0: any), or again on its earlier port after a stop. */
  public Future<Integer> startTracker(int port) {
    return Rebind.retrying(
        vertx,
        port,
        () -> {
          TrackerVerticle verticle =
              new TrackerVerticle(new TrackerOptions().setHost(host).setPort(port).setSync(config));
          return vertx
              .deployVerticle(verticle)
              .map(
                  id -> {
                    tracker = verticle;
                    trackerDeployment = id;
                    trackerPort = verticle.actualPort();
                    return trackerPort;
                  });
        });
  }

  /**
   * Points the peers at {@code host:port} instead of the tracker's own port: a tracker this swarm
   * does not run, or the one it runs behind a proxy. Peers started afterwards use it.
   */
  public void useTracker(String host, int port) {
    trackerHostForPeers = host;
    trackerPortForPeers = port;
  }

  public Future<Integer> restartTracker() {
    return stopTracker().compose(v -> startTracker(trackerPort));
  }

  public Future<Void> stopTracker() {
    String id = trackerDeployment;
    tracker = null;
    trackerDeployment = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  public TrackerVerticle tracker() {
    return Objects.requireNonNull(tracker, "the tracker is stopped");
  }

  /** The port the tracker listens on. */
  public int trackerPort() {
    return trackerPort;
  }

  /**
   * Creates a peer folder under the root holding {@code files} (name to content), not started yet.
   * Blocking (writes files).
   */
  public Peer addPeer(String name, Map<String, byte[]> files) {
    Path folder = root.resolve(name);
    try {
      Files.createDirectories(folder);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(folder.resolve(file.getKey()), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PeerOptions options = new PeerOptions().setDir(folder).setHost(host).setPort(0).setSync(config);
    Peer peer = new Peer(name, folder, options);
    peers.put(name, peer);
    return peer;
  }

  public Peer peer(String name) {
    return Objects.requireNonNull(peers.get(name), () -> "no peer " + name);
  }

  public List<Peer> peers() {
    return new ArrayList<>(peers.values());
  }

  public Future<Void> startPeer(Peer peer) {
    if (trackerHostForPeers != null) {
      peer.options.setTrackerHost(trackerHostForPeers).setTrackerPort(trackerPortForPeers);
    } else {
      peer.options.setTrackerHost(host).setTrackerPort(trackerPort);
    }
    // A peer restarted on its earlier port (behind a proxy) may find that port not yet free.
    return Rebind.retrying(
        vertx,
        Math.max(0, peer.options.getPort()),
        () -> {
          PeerVerticle verticle = new PeerVerticle(peer.options);
          return vertx
              .deployVerticle(verticle)
              .map(
                  id -> {
                    List<TransferCounters> runs = new ArrayList<>(peer.runs);
                    runs.add(verticle.transfers());
                    peer.runs = List.copyOf(runs);
                    peer.verticle = verticle;
                    peer.deploymentId = id;
                    return null;
                  });
        });
  }

  public Future<Void> stopPeer(Peer peer) {
    String id = peer.deploymentId;
    peer.verticle = null;
    peer.deploymentId = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  /** Whether a peer that should be running still is (its deployment was not lost). */
  public boolean isAlive(Peer peer) {
    String id = peer.deploymentId;
    return id != null && vertx.deploymentIDs().contains(id);
  }

  public Future<Void> startAll() {
    return Future.all(
            peers.values().stream().filter(p -> !p.isRunning()).map(this::startPeer).toList())
        .mapEmpty();
  }

  public Future<Void> stopAll() {
    return Future.all(peers.values().stream().map(this::stopPeer).toList())
        .compose(v -> stopTracker());
  }

  /** Each peer's folder as it is now. Blocking. */
  public Map<String, FolderState> folderStates() throws IOException {
    Map<String, FolderState> states = new LinkedHashMap<>();
    for (Peer peer : peers.values()) {
      states.put(peer.name, FolderState.of(peer.folder));
    }
    return states;
  }

  /**
   * Whether every peer's folder holds the same files (content and mtime) and no temp file.
   * Blocking.
   */
  public boolean isConverged() throws IOException {
    Map<String, FolderState> states = folderStates();
    FolderState first = states.values().iterator().next();
    return states.values().stream()
        .allMatch(s -> s.tempFiles() == 0 && s.files().equals(first.files()));
  }
}
