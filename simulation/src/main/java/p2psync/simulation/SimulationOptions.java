package p2psync.simulation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import p2psync.common.SyncConfig;
import p2psync.common.web.HttpOptions;
import p2psync.tracker.cluster.LoopbackCluster;

/**
 * What one simulation runs: how many peers and files, which faults for how long, against which
 * Toxiproxy.
 */
public final class SimulationOptions {
  public static final int DEFAULT_PEERS = 8;
  public static final int DEFAULT_FILES_PER_PEER = 4;
  public static final long DEFAULT_MAX_FILE_SIZE = 4L << 20;
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CONVERGE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(200);
  public static final String EMBEDDED = "embedded";
  public static final String DOCKER = "docker";

  /**
   * Docker with the container on the host's network: Toxiproxy and its proxies on 127.0.0.1
   * (Linux).
   */
  public static final String DOCKER_HOST = "docker-host";

  private int peers = DEFAULT_PEERS;
  private int trackers = 1;
  private int filesPerPeer = DEFAULT_FILES_PER_PEER;
  private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
  private Set<Fault> faults = EnumSet.allOf(Fault.class);
  private Set<WorkloadEvent> events = EnumSet.noneOf(WorkloadEvent.class);
  private Duration duration = DEFAULT_DURATION;
  private Duration convergeTimeout = DEFAULT_CONVERGE_TIMEOUT;
  private Duration sampleInterval = DEFAULT_SAMPLE_INTERVAL;
  private long seed = 1;
  private String toxiproxy = EMBEDDED;
  private SyncConfig sync = shrunkTimings();
  private Path root;
  private int httpPort = HttpOptions.OFF;
  private String peerCommand;
  private int externalPeers;
  private String trackerCommand;
  private Map<String, String> externalEnv = Map.of();

  /**
   * The peers' timings shrunk so that a sync cycle takes half a second instead of five, and a
   * stalled transfer fails in 1.5 s instead of 30.
   */
  public static SyncConfig shrunkTimings() {
    // a tracker cluster's timings as short as Hazelcast allows
    return LoopbackCluster.shrink(new SyncConfig())
        .setKeepAliveInterval(Duration.ofMillis(500))
        .setTrackerExpiry(Duration.ofSeconds(3))
        .setConnectTimeout(Duration.ofSeconds(2))
        .setTransferIdleTimeout(Duration.ofMillis(1500))
        .setRequestTimeout(Duration.ofSeconds(2))
        .setReconnectBackoffMin(Duration.ofMillis(100))
        .setReconnectBackoffMax(Duration.ofSeconds(1));
  }

  public int peers() {
    return peers;
  }

  public SimulationOptions peers(int value) {
    if (value < 2) {
      throw new IllegalArgumentException("a simulation needs at least 2 peers, got " + value);
    }
    peers = value;
    return this;
  }

  /** Tracker nodes: 1 is a plain tracker, more a cluster with the peers spread over its nodes. */
  public int trackers() {
    return trackers;
  }

  public SimulationOptions trackers(int value) {
    if (value < 1 || value > 9) {
      throw new IllegalArgumentException("trackers must be in 1..9, got " + value);
    }
    trackers = value;
    return this;
  }

  public int filesPerPeer() {
    return filesPerPeer;
  }

  public SimulationOptions filesPerPeer(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("files per peer must be at least 1, got " + value);
    }
    filesPerPeer = value;
    return this;
  }

  /** The largest file; most files are much smaller (see {@link Workload}). */
  public long maxFileSize() {
    return maxFileSize;
  }

  public SimulationOptions maxFileSize(long value) {
    if (value < 1 || value > (1L << 30)) {
      throw new IllegalArgumentException("size must be in 1 B..1 GiB, got " + value);
    }
    maxFileSize = value;
    return this;
  }

  public Set<Fault> faults() {
    return faults;
  }

  /** What users do to the folders during the faults (none by default); any makes v2 peers. */
  public Set<WorkloadEvent> events() {
    return events;
  }

  public SimulationOptions events(Set<WorkloadEvent> value) {
    events = value.isEmpty() ? EnumSet.noneOf(WorkloadEvent.class) : EnumSet.copyOf(value);
    return this;
  }

  public SimulationOptions faults(Set<Fault> value) {
    faults = value.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(value);
    return this;
  }

  /** How long faults are injected; then all are lifted and the run waits for convergence. */
  public Duration duration() {
    return duration;
  }

  public SimulationOptions duration(Duration value) {
    duration = positive("duration", value);
    return this;
  }

  /** How long after the faults stop the peers may take to converge. */
  public Duration convergeTimeout() {
    return convergeTimeout;
  }

  public SimulationOptions convergeTimeout(Duration value) {
    convergeTimeout = positive("convergeTimeout", value);
    return this;
  }

  /** How often the folders are sampled (progress, partial files under real names). */
  public Duration sampleInterval() {
    return sampleInterval;
  }

  public SimulationOptions sampleInterval(Duration value) {
    sampleInterval = positive("sampleInterval", value);
    return this;
  }

  public long seed() {
    return seed;
  }

  public SimulationOptions seed(long value) {
    seed = value;
    return this;
  }

  /**
   * {@code embedded}, {@code docker} or the URL of a running Toxiproxy ({@code
   * http://127.0.0.1:8474}).
   */
  public String toxiproxy() {
    return toxiproxy;
  }

  public SimulationOptions toxiproxy(String value) {
    toxiproxy = Objects.requireNonNull(value, "toxiproxy");
    return this;
  }

  public SyncConfig sync() {
    return sync;
  }

  public SimulationOptions sync(SyncConfig value) {
    sync = Objects.requireNonNull(value, "sync");
    return this;
  }

  /** Where the peers' folders go; null: a temp folder, deleted afterwards. */
  public Path root() {
    return root;
  }

  public SimulationOptions root(Path value) {
    root = value;
    return this;
  }

  /** The tracker's HTTP port (status API, dashboard); {@code -1}: none. One tracker only. */
  public int httpPort() {
    return httpPort;
  }

  public SimulationOptions httpPort(int value) {
    httpPort = new HttpOptions().setPort(value).getPort();
    return this;
  }

  /**
   * The command of the external peers ({@code CMD {host} {port}}, run in the peer's folder); null:
   * none.
   */
  public String peerCommand() {
    return peerCommand;
  }

  public SimulationOptions peerCommand(String value) {
    peerCommand = value;
    return this;
  }

  /**
   * How many of the peers (the last ones) are the external program instead of ours; 0 unless a
   * {@link #peerCommand} is set.
   */
  public int externalPeers() {
    return externalPeers;
  }

  public SimulationOptions externalPeers(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("external peers must be >= 0, got " + value);
    }
    externalPeers = value;
    return this;
  }

  /** The command of an external tracker ({@code CMD {host} {port}}); null: ours. */
  public String trackerCommand() {
    return trackerCommand;
  }

  public SimulationOptions trackerCommand(String value) {
    trackerCommand = value;
    return this;
  }

  /** Added to the external programs' environment (e.g. their KeepAlive interval). */
  public Map<String, String> externalEnv() {
    return externalEnv;
  }

  public SimulationOptions externalEnv(Map<String, String> value) {
    externalEnv = Map.copyOf(value);
    return this;
  }

  /** Throws when the external parties asked for do not fit the rest. */
  public void checkExternals() {
    if (externalPeers > 0 && peerCommand == null) {
      throw new IllegalArgumentException("external peers need a peer command");
    }
    if (externalPeers > peers) {
      throw new IllegalArgumentException(
          externalPeers + " external peers, but only " + peers + " peers in all");
    }
    if (trackerCommand != null && trackers != 1) {
      throw new IllegalArgumentException("an external tracker runs alone: --trackers 1");
    }
  }

  private static Duration positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
    return value;
  }
}
