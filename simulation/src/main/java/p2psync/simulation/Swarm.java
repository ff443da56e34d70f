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
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * A tracker and any number of peers in one Vert.x instance, each peer with its own folder under
 * one root: the harness behind the acceptance tests, the demo and the simulations. Peers can be
 * stopped and started again on the same folder; the tracker can be restarted on the same port.
 */
public final class Swarm {

  /** One peer of the swarm; {@code verticle} is null while it is stopped. */
  public static final class Peer {
    private final String name;
    private final Path folder;
    private final PeerOptions options;
    private PeerVerticle verticle;
    private String deploymentId;

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
  }

  private final Vertx vertx;
  private final Path root;
  private final SyncConfig config;
  private final Map<String, Peer> peers = new LinkedHashMap<>();
  private TrackerVerticle tracker;
  private String trackerDeployment;
  private int trackerPort;

  public Swarm(Vertx vertx, Path root, SyncConfig config) {
    this.vertx = vertx;
    this.root = root;
    this.config = config;
  }

  public SyncConfig config() {
    return config;
  }

  /** Starts the tracker on {@code port} (0: any), or again on its earlier port after a stop. */
  public Future<Integer> startTracker(int port) {
    TrackerVerticle verticle = new TrackerVerticle(new TrackerOptions()
        .setHost("127.0.0.1").setPort(port).setSync(config));
    return vertx.deployVerticle(verticle).map(id -> {
      tracker = verticle;
      trackerDeployment = id;
      trackerPort = verticle.actualPort();
      return trackerPort;
    });
  }

  /** Points the peers at a tracker this swarm does not run (another process, or through a proxy). */
  public void useTracker(int port) {
    trackerPort = port;
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
    PeerOptions options = new PeerOptions()
        .setDir(folder)
        .setTrackerHost("127.0.0.1")
        .setTrackerPort(trackerPort)
        .setHost("127.0.0.1")
        .setPort(0)
        .setSync(config);
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
    peer.options.setTrackerPort(trackerPort);
    PeerVerticle verticle = new PeerVerticle(peer.options);
    return vertx.deployVerticle(verticle).map(id -> {
      peer.verticle = verticle;
      peer.deploymentId = id;
      return null;
    });
  }

  public Future<Void> stopPeer(Peer peer) {
    String id = peer.deploymentId;
    peer.verticle = null;
    peer.deploymentId = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  public Future<Void> startAll() {
    return Future.all(peers.values().stream().filter(p -> !p.isRunning()).map(this::startPeer).toList()).mapEmpty();
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

  /** Whether every peer's folder holds the same files (content and mtime) and no temp file. Blocking. */
  public boolean isConverged() throws IOException {
    Map<String, FolderState> states = folderStates();
    FolderState first = states.values().iterator().next();
    return states.values().stream().allMatch(s -> s.tempFiles() == 0 && s.files().equals(first.files()));
  }
}
