package p2psync.common;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Every timing and limit of the tracker and the peers, with its default in one place. Loaded by
 * {@link ConfigLoader} from a file, the environment and system properties; tests shrink the timings
 * instead of sleeping. Durations are written {@code 5s}, {@code 250ms}, {@code 2m}, {@code 1h},
 * {@code 7d}, ISO-8601 ({@code PT5S}) or a bare number of milliseconds.
 */
public final class SyncConfig {

  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(5);

  /** Three keepalive intervals of silence and a peer leaves the directory. */
  public static final int DEFAULT_TRACKER_EXPIRY_INTERVALS = 3;

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TRANSFER_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TRANSFER_TIMEOUT = Duration.ofHours(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RECONNECT_BACKOFF_MIN = Duration.ofMillis(500);
  public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofSeconds(30);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_FIRST_PEER_PORT = 8000;
  public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 4096;
  public static final int DEFAULT_MAX_CONCURRENT_DOWNLOADS = 4;
  public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 64;
  public static final int DEFAULT_MAX_QUEUED_UPLOADS = 512;

  /** v2: holders listed per name on a v2 directory line. */
  public static final int DEFAULT_MAX_SOURCES = 32;

  public static final Duration DEFAULT_CLUSTER_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CLUSTER_SYNC_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_V2_LINE_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_CLUSTER_JOIN_WAIT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CLUSTER_MERGE_DELAY = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STATUS_PUSH_INTERVAL = Duration.ofSeconds(1);

  /** v2 deltas: a changed directory gets a new version (and pushes) at most this often. */
  public static final Duration DEFAULT_DIRECTORY_PUSH_INTERVAL = Duration.ofMillis(100);

  public static final int DEFAULT_DELTA_LOG_VERSIONS = 1024;
  public static final int DEFAULT_DELTA_LOG_BYTES = 16 * 1024 * 1024;

  /**
   * Peer, v2: a file of at least this many bytes with several holders is fetched in ranges from
   * several of them at once (docs/protocol-v2.md, Ranges).
   */
  public static final int DEFAULT_RANGED_MIN_BYTES = 16 * 1024 * 1024;

  /** Peer, v2: the size of each range of a ranged download (the last one may be shorter). */
  public static final int DEFAULT_RANGE_BYTES = 8 * 1024 * 1024;

  /** Peer, v2: most connections one ranged download opens at once (1: no ranged downloads). */
  public static final int DEFAULT_MAX_RANGE_CONNECTIONS = 3;

  /** Peer: a burst of changes in the folder is advertised once it has been quiet this long. */
  public static final Duration DEFAULT_WATCH_DELAY = Duration.ofMillis(200);

  /**
   * Peer: while the folder is watched, it is rescanned whole once this many keepalive intervals
   * have passed since its last scan, unless {@code rescanInterval} is set.
   */
  public static final int DEFAULT_RESCAN_KEEPALIVES = 12;

  /** Peer, v2: how long a removed or replaced file is kept in the trash. */
  public static final Duration DEFAULT_TRASH_RETENTION = Duration.ofDays(7);

  /** v2: how long a deletion is remembered and advertised. */
  public static final Duration DEFAULT_TOMBSTONE_EXPIRY = Duration.ofDays(30);

  /** v2: a deletion dated further in the future than this is refused. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(1);

  private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
  private Duration trackerExpiry; // null: DEFAULT_TRACKER_EXPIRY_INTERVALS x keepAliveInterval
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration transferIdleTimeout = DEFAULT_TRANSFER_IDLE_TIMEOUT;
  private Duration transferTimeout = DEFAULT_TRANSFER_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private Duration reconnectBackoffMin = DEFAULT_RECONNECT_BACKOFF_MIN;
  private Duration reconnectBackoffMax = DEFAULT_RECONNECT_BACKOFF_MAX;
  private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
  private int firstPeerPort = DEFAULT_FIRST_PEER_PORT;
  private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  private int maxConcurrentDownloads = DEFAULT_MAX_CONCURRENT_DOWNLOADS;
  private int maxConcurrentUploads = DEFAULT_MAX_CONCURRENT_UPLOADS;
  private int maxQueuedUploads = DEFAULT_MAX_QUEUED_UPLOADS;
  private int maxSources = DEFAULT_MAX_SOURCES;
  private Duration clusterHeartbeatInterval = DEFAULT_CLUSTER_HEARTBEAT_INTERVAL;
  private Duration clusterMemberTimeout; // null: derived from trackerExpiry, see its getter
  private Duration clusterSyncInterval = DEFAULT_CLUSTER_SYNC_INTERVAL;
  private Duration v2LineInterval = DEFAULT_V2_LINE_INTERVAL;
  private Duration clusterJoinWait = DEFAULT_CLUSTER_JOIN_WAIT;
  private Duration clusterMergeDelay = DEFAULT_CLUSTER_MERGE_DELAY;
  private Duration statusPushInterval = DEFAULT_STATUS_PUSH_INTERVAL;
  private Duration directoryPushInterval = DEFAULT_DIRECTORY_PUSH_INTERVAL;
  private int deltaLogVersions = DEFAULT_DELTA_LOG_VERSIONS;
  private int deltaLogBytes = DEFAULT_DELTA_LOG_BYTES;
  private int rangedMinBytes = DEFAULT_RANGED_MIN_BYTES;
  private int rangeBytes = DEFAULT_RANGE_BYTES;
  private int maxRangeConnections = DEFAULT_MAX_RANGE_CONNECTIONS;
  private Duration watchDelay = DEFAULT_WATCH_DELAY;
  private Duration trashRetention = DEFAULT_TRASH_RETENTION;
  private Duration tombstoneExpiry = DEFAULT_TOMBSTONE_EXPIRY;
  private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
  private Duration directorySweepInterval; // null: rescanInterval
  private Duration rescanInterval; // null: DEFAULT_RESCAN_KEEPALIVES x keepAliveInterval

  public SyncConfig() {}

  /** Reads the keys of {@link #toJson()}; absent keys keep their defaults, bad values throw. */
  public SyncConfig(JsonObject json) {
    Objects.requireNonNull(json, "json");
    ifPresent(
        json,
        "keepAliveInterval",
        v -> setKeepAliveInterval(parseDuration("keepAliveInterval", v)));
    ifPresent(json, "trackerExpiry", v -> setTrackerExpiry(parseDuration("trackerExpiry", v)));
    ifPresent(json, "connectTimeout", v -> setConnectTimeout(parseDuration("connectTimeout", v)));
    ifPresent(
        json,
        "transferIdleTimeout",
        v -> setTransferIdleTimeout(parseDuration("transferIdleTimeout", v)));
    ifPresent(
        json, "transferTimeout", v -> setTransferTimeout(parseDuration("transferTimeout", v)));
    ifPresent(json, "requestTimeout", v -> setRequestTimeout(parseDuration("requestTimeout", v)));
    ifPresent(
        json,
        "reconnectBackoffMin",
        v -> setReconnectBackoffMin(parseDuration("reconnectBackoffMin", v)));
    ifPresent(
        json,
        "reconnectBackoffMax",
        v -> setReconnectBackoffMax(parseDuration("reconnectBackoffMax", v)));
    ifPresent(json, "stopTimeout", v -> setStopTimeout(parseDuration("stopTimeout", v)));
    ifPresent(json, "firstPeerPort", v -> setFirstPeerPort(parseInt("firstPeerPort", v)));
    ifPresent(json, "maxLineBytes", v -> setMaxLineBytes(parseInt("maxLineBytes", v)));
    ifPresent(json, "maxRequestBytes", v -> setMaxRequestBytes(parseInt("maxRequestBytes", v)));
    ifPresent(
        json,
        "maxConcurrentDownloads",
        v -> setMaxConcurrentDownloads(parseInt("maxConcurrentDownloads", v)));
    ifPresent(
        json,
        "maxConcurrentUploads",
        v -> setMaxConcurrentUploads(parseInt("maxConcurrentUploads", v)));
    ifPresent(json, "maxQueuedUploads", v -> setMaxQueuedUploads(parseInt("maxQueuedUploads", v)));
    ifPresent(json, "maxSources", v -> setMaxSources(parseInt("maxSources", v)));
    ifPresent(
        json,
        "clusterHeartbeatInterval",
        v -> setClusterHeartbeatInterval(parseDuration("clusterHeartbeatInterval", v)));
    ifPresent(
        json,
        "clusterMemberTimeout",
        v -> setClusterMemberTimeout(parseDuration("clusterMemberTimeout", v)));
    ifPresent(
        json,
        "clusterSyncInterval",
        v -> setClusterSyncInterval(parseDuration("clusterSyncInterval", v)));
    ifPresent(json, "v2LineInterval", v -> setV2LineInterval(parseDuration("v2LineInterval", v)));
    ifPresent(
        json, "clusterJoinWait", v -> setClusterJoinWait(parseDuration("clusterJoinWait", v)));
    ifPresent(
        json,
        "clusterMergeDelay",
        v -> setClusterMergeDelay(parseDuration("clusterMergeDelay", v)));
    ifPresent(
        json,
        "statusPushInterval",
        v -> setStatusPushInterval(parseDuration("statusPushInterval", v)));
    ifPresent(
        json,
        "directoryPushInterval",
        v -> setDirectoryPushInterval(parseDuration("directoryPushInterval", v)));
    ifPresent(json, "deltaLogVersions", v -> setDeltaLogVersions(parseInt("deltaLogVersions", v)));
    ifPresent(json, "deltaLogBytes", v -> setDeltaLogBytes(parseInt("deltaLogBytes", v)));
    ifPresent(json, "rangedMinBytes", v -> setRangedMinBytes(parseInt("rangedMinBytes", v)));
    ifPresent(json, "rangeBytes", v -> setRangeBytes(parseInt("rangeBytes", v)));
    ifPresent(
        json,
        "maxRangeConnections",
        v -> setMaxRangeConnections(parseInt("maxRangeConnections", v)));
    ifPresent(json, "watchDelay", v -> setWatchDelay(parseDuration("watchDelay", v)));
    ifPresent(json, "trashRetention", v -> setTrashRetention(parseDuration("trashRetention", v)));
    ifPresent(
        json, "tombstoneExpiry", v -> setTombstoneExpiry(parseDuration("tombstoneExpiry", v)));
    ifPresent(json, "maxClockSkew", v -> setMaxClockSkew(parseDuration("maxClockSkew", v)));
    ifPresent(
        json,
        "directorySweepInterval",
        v -> setDirectorySweepInterval(parseDuration("directorySweepInterval", v)));
    ifPresent(json, "rescanInterval", v -> setRescanInterval(parseDuration("rescanInterval", v)));
    if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
      throw new IllegalArgumentException(
          "reconnectBackoffMax must not be below reconnectBackoffMin");
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("keepAliveInterval", keepAliveInterval.toString());
    if (trackerExpiry != null) {
      json.put("trackerExpiry", trackerExpiry.toString()); // otherwise it follows keepAliveInterval
    }
    if (clusterMemberTimeout != null) {
      json.put(
          "clusterMemberTimeout",
          clusterMemberTimeout.toString()); // otherwise it follows trackerExpiry
    }
    if (directorySweepInterval != null) {
      json.put(
          "directorySweepInterval",
          directorySweepInterval.toString()); // otherwise it follows rescanInterval
    }
    if (rescanInterval != null) {
      json.put("rescanInterval", rescanInterval.toString()); // otherwise it follows keepAlive
    }
    return json.put("connectTimeout", connectTimeout.toString())
        .put("transferIdleTimeout", transferIdleTimeout.toString())
        .put("transferTimeout", transferTimeout.toString())
        .put("requestTimeout", requestTimeout.toString())
        .put("reconnectBackoffMin", reconnectBackoffMin.toString())
        .put("reconnectBackoffMax", reconnectBackoffMax.toString())
        .put("stopTimeout", stopTimeout.toString())
        .put("firstPeerPort", firstPeerPort)
        .put("maxLineBytes", maxLineBytes)
        .put("maxRequestBytes", maxRequestBytes)
        .put("maxConcurrentDownloads", maxConcurrentDownloads)
        .put("maxConcurrentUploads", maxConcurrentUploads)
        .put("maxQueuedUploads", maxQueuedUploads)
        .put("maxSources", maxSources)
        .put("clusterHeartbeatInterval", clusterHeartbeatInterval.toString())
        .put("clusterSyncInterval", clusterSyncInterval.toString())
        .put("v2LineInterval", v2LineInterval.toString())
        .put("clusterJoinWait", clusterJoinWait.toString())
        .put("clusterMergeDelay", clusterMergeDelay.toString())
        .put("statusPushInterval", statusPushInterval.toString())
        .put("directoryPushInterval", directoryPushInterval.toString())
        .put("deltaLogVersions", deltaLogVersions)
        .put("deltaLogBytes", deltaLogBytes)
        .put("rangedMinBytes", rangedMinBytes)
        .put("rangeBytes", rangeBytes)
        .put("maxRangeConnections", maxRangeConnections)
        .put("watchDelay", watchDelay.toString())
        .put("trashRetention", trashRetention.toString())
        .put("tombstoneExpiry", tombstoneExpiry.toString())
        .put("maxClockSkew", maxClockSkew.toString());
  }

  public Duration getDirectoryPushInterval() {
    return directoryPushInterval;
  }

  /**
   * Tracker, v2 deltas: a changed directory gets a new version at most this often (0: at every
   * change), and peers that asked for pushes get its delta right then. A storm of changes is one
   * version and one push, not thousands; a change reaches pushed peers at most this late.
   */
  public SyncConfig setDirectoryPushInterval(Duration value) {
    directoryPushInterval = Validate.notNegative("directoryPushInterval", value);
    return this;
  }

  public int getDeltaLogVersions() {
    return deltaLogVersions;
  }

  /**
   * Tracker, v2 deltas: how many versions of changes are kept; a peer further behind gets the whole
   * directory.
   */
  public SyncConfig setDeltaLogVersions(int value) {
    deltaLogVersions = Validate.inRange("deltaLogVersions", value, 1, 1 << 20);
    return this;
  }

  public int getDeltaLogBytes() {
    return deltaLogBytes;
  }

  /**
   * Tracker, v2 deltas: the kept versions hold at most this many bytes of members; older ones are
   * dropped first.
   */
  public SyncConfig setDeltaLogBytes(int value) {
    deltaLogBytes = Validate.inRange("deltaLogBytes", value, 1, Integer.MAX_VALUE);
    return this;
  }

  /** How often a peer sends a KeepAlive. */
  public Duration getKeepAliveInterval() {
    return keepAliveInterval;
  }

  public SyncConfig setKeepAliveInterval(Duration value) {
    keepAliveInterval = Validate.positive("keepAliveInterval", value);
    return this;
  }

  /** Silence after which the tracker drops a peer; three keepalive intervals unless set. */
  public Duration getTrackerExpiry() {
    return trackerExpiry != null
        ? trackerExpiry
        : keepAliveInterval.multipliedBy(DEFAULT_TRACKER_EXPIRY_INTERVALS);
  }

  public SyncConfig setTrackerExpiry(Duration value) {
    trackerExpiry = Validate.positive("trackerExpiry", value);
    return this;
  }

  /** Time allowed to open a TCP connection (tracker or peer). */
  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public SyncConfig setConnectTimeout(Duration value) {
    connectTimeout = Validate.positive("connectTimeout", value);
    return this;
  }

  /** A download fails after this long without a byte. */
  public Duration getTransferIdleTimeout() {
    return transferIdleTimeout;
  }

  public SyncConfig setTransferIdleTimeout(Duration value) {
    transferIdleTimeout = Validate.positive("transferIdleTimeout", value);
    return this;
  }

  /** A download fails when it takes longer than this in all. */
  public Duration getTransferTimeout() {
    return transferTimeout;
  }

  public SyncConfig setTransferTimeout(Duration value) {
    transferTimeout = Validate.positive("transferTimeout", value);
    return this;
  }

  /** The file server closes a connection that has not sent its request line within this. */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public SyncConfig setRequestTimeout(Duration value) {
    requestTimeout = Validate.positive("requestTimeout", value);
    return this;
  }

  /** First wait before reconnecting to the tracker; it doubles on each failure. */
  public Duration getReconnectBackoffMin() {
    return reconnectBackoffMin;
  }

  public SyncConfig setReconnectBackoffMin(Duration value) {
    reconnectBackoffMin = Validate.positive("reconnectBackoffMin", value);
    return this;
  }

  /** Longest wait between reconnection attempts. */
  public Duration getReconnectBackoffMax() {
    return reconnectBackoffMax;
  }

  public SyncConfig setReconnectBackoffMax(Duration value) {
    reconnectBackoffMax = Validate.positive("reconnectBackoffMax", value);
    return this;
  }

  /**
   * How long a stopping process (Ctrl-C, SIGTERM) waits for its tracker or peer to stop cleanly.
   */
  public Duration getStopTimeout() {
    return stopTimeout;
  }

  public SyncConfig setStopTimeout(Duration value) {
    stopTimeout = Validate.positive("stopTimeout", value);
    return this;
  }

  /** A peer serves on the first free port from this one up, unless given a port. */
  public int getFirstPeerPort() {
    return firstPeerPort;
  }

  public SyncConfig setFirstPeerPort(int value) {
    firstPeerPort = Validate.inRange("firstPeerPort", value, 1, 65_535);
    return this;
  }

  /** Longest JSON line accepted on the tracker wire, either way. */
  public int getMaxLineBytes() {
    return maxLineBytes;
  }

  public SyncConfig setMaxLineBytes(int value) {
    maxLineBytes = Validate.inRange("maxLineBytes", value, 64, Integer.MAX_VALUE);
    return this;
  }

  /** Longest request line ({@code name\n}) the file server accepts. */
  public int getMaxRequestBytes() {
    return maxRequestBytes;
  }

  public SyncConfig setMaxRequestBytes(int value) {
    maxRequestBytes = Validate.inRange("maxRequestBytes", value, 256, 1 << 20);
    return this;
  }

  /** Downloads a peer runs at once. */
  public int getRangedMinBytes() {
    return rangedMinBytes;
  }

  /** Peer, v2: smallest file fetched in ranges from several holders at once. */
  public SyncConfig setRangedMinBytes(int value) {
    rangedMinBytes = Validate.inRange("rangedMinBytes", value, 1, Integer.MAX_VALUE);
    return this;
  }

  public int getRangeBytes() {
    return rangeBytes;
  }

  /** Peer, v2: bytes per range of a ranged download (one request, one connection each). */
  public SyncConfig setRangeBytes(int value) {
    rangeBytes = Validate.inRange("rangeBytes", value, 1, Integer.MAX_VALUE);
    return this;
  }

  public int getMaxRangeConnections() {
    return maxRangeConnections;
  }

  /** Peer, v2: most connections of one ranged download; 1 turns ranged downloads off. */
  public SyncConfig setMaxRangeConnections(int value) {
    maxRangeConnections = Validate.inRange("maxRangeConnections", value, 1, 64);
    return this;
  }

  public int getMaxConcurrentDownloads() {
    return maxConcurrentDownloads;
  }

  public SyncConfig setMaxConcurrentDownloads(int value) {
    maxConcurrentDownloads = Validate.inRange("maxConcurrentDownloads", value, 1, 1024);
    return this;
  }

  /** Uploads a peer's file server runs at once; further connections are refused. */
  public int getMaxSources() {
    return maxSources;
  }

  /**
   * At most this many holders of a version are listed on a v2 line: every holder of a file in a
   * swarm of thousands would make the line grow with peers x names.
   */
  public SyncConfig setMaxSources(int value) {
    maxSources = Validate.inRange("maxSources", value, 1, 65_536);
    return this;
  }

  public int getMaxConcurrentUploads() {
    return maxConcurrentUploads;
  }

  public SyncConfig setMaxConcurrentUploads(int value) {
    maxConcurrentUploads = Validate.inRange("maxConcurrentUploads", value, 1, 65_536);
    return this;
  }

  /**
   * Connections beyond maxConcurrentUploads that wait (unread) for an upload to end, at most
   * requestTimeout each, instead of being closed at once; 0: closed at once.
   */
  public int getMaxQueuedUploads() {
    return maxQueuedUploads;
  }

  public SyncConfig setMaxQueuedUploads(int value) {
    maxQueuedUploads = Validate.inRange("maxQueuedUploads", value, 0, 65_536);
    return this;
  }

  /** How often clustered tracker nodes send each other a heartbeat (Hazelcast's, whole seconds). */
  public Duration getClusterHeartbeatInterval() {
    return clusterHeartbeatInterval;
  }

  public SyncConfig setClusterHeartbeatInterval(Duration value) {
    clusterHeartbeatInterval = Validate.positive("clusterHeartbeatInterval", value);
    return this;
  }

  /**
   * A tracker node that sent no heartbeat for this long is dead, and the other nodes drop its
   * peers. Unless set: half of {@code trackerExpiry}, rounded up to whole seconds and at least two
   * heartbeats, so that a dead node's peers leave every directory within {@code trackerExpiry}, as
   * a silent peer leaves one.
   */
  public Duration getClusterMemberTimeout() {
    if (clusterMemberTimeout != null) {
      return clusterMemberTimeout;
    }
    long halfExpirySeconds = (getTrackerExpiry().toMillis() / 2 + 999) / 1000;
    Duration twoBeats = clusterHeartbeatInterval.multipliedBy(2);
    Duration half = Duration.ofSeconds(halfExpirySeconds);
    return half.compareTo(twoBeats) >= 0 ? half : twoBeats;
  }

  public SyncConfig setClusterMemberTimeout(Duration value) {
    clusterMemberTimeout = Validate.positive("clusterMemberTimeout", value);
    return this;
  }

  /**
   * How often a tracker node tells the others how far its record stream has gone, so that a node
   * that missed a record (a partition, a late subscription) asks for the full state again.
   */
  public Duration getClusterSyncInterval() {
    return clusterSyncInterval;
  }

  public Duration getV2LineInterval() {
    return v2LineInterval;
  }

  /**
   * Tracker, v2: a changed v2 line is rebuilt at most this often (0: at every change). A join storm
   * of v2 peers changes it with every Init, and a rebuild visits every holder of every changed
   * name; v2 peers meanwhile get a line this much out of date, which costs them at most a failed
   * attempt at a holder that left.
   */
  public SyncConfig setV2LineInterval(Duration value) {
    v2LineInterval = Validate.notNegative("v2LineInterval", value);
    return this;
  }

  public SyncConfig setClusterSyncInterval(Duration value) {
    clusterSyncInterval = Validate.positive("clusterSyncInterval", value);
    return this;
  }

  /** How long a starting tracker node waits for others before forming a cluster (0 in tests). */
  public Duration getClusterJoinWait() {
    return clusterJoinWait;
  }

  public SyncConfig setClusterJoinWait(Duration value) {
    clusterJoinWait = Validate.notNegative("clusterJoinWait", value);
    return this;
  }

  /** How often the sides of a healed partition look for each other to merge again. */
  public Duration getClusterMergeDelay() {
    return clusterMergeDelay;
  }

  public SyncConfig setClusterMergeDelay(Duration value) {
    clusterMergeDelay = Validate.positive("clusterMergeDelay", value);
    return this;
  }

  /**
   * How often the tracker's dashboard looks for a change to push to its open pages (a change is
   * pushed at most once per interval, however many messages caused it).
   */
  public Duration getStatusPushInterval() {
    return statusPushInterval;
  }

  public SyncConfig setStatusPushInterval(Duration value) {
    statusPushInterval = Validate.positive("statusPushInterval", value);
    return this;
  }

  /**
   * Peer: after a change in the folder (seen by watching it), how long it must stay quiet before
   * the folder is advertised; {@code 0s} turns watching off (the keepalive's rescan remains).
   */
  public Duration getWatchDelay() {
    return watchDelay;
  }

  public SyncConfig setWatchDelay(Duration value) {
    watchDelay = Validate.notNegative("watchDelay", value);
    return this;
  }

  /** Peer, v2: how long a removed or replaced file stays in {@code .p2psync-state/trash}. */
  public Duration getTrashRetention() {
    return trashRetention;
  }

  public SyncConfig setTrashRetention(Duration value) {
    trashRetention = Validate.positive("trashRetention", value);
    return this;
  }

  /** v2: how long after a deletion its tombstone is kept and advertised. */
  public Duration getTombstoneExpiry() {
    return tombstoneExpiry;
  }

  public SyncConfig setTombstoneExpiry(Duration value) {
    tombstoneExpiry = Validate.positive("tombstoneExpiry", value);
    return this;
  }

  /** v2: a tombstone dated more than this after the receiver's clock is refused. */
  public Duration getMaxClockSkew() {
    return maxClockSkew;
  }

  public SyncConfig setMaxClockSkew(Duration value) {
    maxClockSkew = Validate.notNegative("maxClockSkew", value);
    return this;
  }

  /**
   * Peer, v2 deltas: how often the whole held directory is compared with the folder, name by name
   * (in small batches on the peer's event loop), on top of the names each delta changes; {@code 0s}
   * turns it off. The safety net under deltas, as the keepalive's rescan is under watching: a name
   * passed over for a reason that later went away is fetched (or deleted) within one interval even
   * when no delta names it again. Unless set: {@link #getRescanInterval rescanInterval}, the pace
   * of the other safety net.
   */
  public Duration getDirectorySweepInterval() {
    return directorySweepInterval != null ? directorySweepInterval : getRescanInterval();
  }

  public SyncConfig setDirectorySweepInterval(Duration value) {
    directorySweepInterval = Validate.notNegative("directorySweepInterval", value);
    return this;
  }

  /**
   * Peer: while its folder is watched, how long after its last whole scan a keepalive scans it
   * again (the safety net under watching: a change the watcher missed is advertised within this);
   * between, a keepalive is a bare KeepAlive, whose cost does not grow with the folder. A folder
   * that is not watched ({@code watchDelay} 0, or watching failed) is scanned at every keepalive,
   * as is every folder when this is at most {@code keepAliveInterval}. Unless set: {@value
   * #DEFAULT_RESCAN_KEEPALIVES} keepalive intervals (1 min by default).
   */
  public Duration getRescanInterval() {
    return rescanInterval != null
        ? rescanInterval
        : keepAliveInterval.multipliedBy(DEFAULT_RESCAN_KEEPALIVES);
  }

  public SyncConfig setRescanInterval(Duration value) {
    rescanInterval = Validate.notNegative("rescanInterval", value);
    return this;
  }

  /**
   * Parses {@code 5s}, {@code 250ms}, {@code 2m}, {@code 1h}, {@code 7d}, {@code PT5S} or
   * milliseconds.
   */
  public static Duration parseDuration(String key, Object value) {
    if (value instanceof Number n) {
      return Duration.ofMillis(n.longValue());
    }
    String text = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
    try {
      if (text.startsWith("pt") || text.startsWith("p")) {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      }
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).strip()));
      }
      String amount = text.substring(0, text.length() - 1).strip();
      return switch (text.charAt(text.length() - 1)) {
        case 's' -> Duration.ofSeconds(Long.parseLong(amount));
        case 'm' -> Duration.ofMinutes(Long.parseLong(amount));
        case 'h' -> Duration.ofHours(Long.parseLong(amount));
        case 'd' -> Duration.ofDays(Long.parseLong(amount));
        default -> Duration.ofMillis(Long.parseLong(text));
      };
    } catch (NumberFormatException
        | DateTimeParseException
        | StringIndexOutOfBoundsException
        | ArithmeticException e) {
      throw new IllegalArgumentException(key + ": not a duration: " + value);
    }
  }

  private static int parseInt(String key, Object value) {
    try {
      if (value instanceof Number n) {
        // exact: a fraction or a value beyond int must not wrap or truncate into a valid-looking
        // one
        return new BigDecimal(n.toString()).intValueExact();
      }
      return Integer.parseInt(String.valueOf(value).strip());
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(key + ": not an integer: " + value);
    }
  }

  private static void ifPresent(
      JsonObject json, String key, java.util.function.Consumer<Object> setter) {
    Object value = json.getValue(key);
    if (value != null) {
      setter.accept(value);
    }
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
