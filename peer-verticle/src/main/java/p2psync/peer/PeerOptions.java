package p2psync.peer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import p2psync.common.ConfigLoader;
import p2psync.common.SyncConfig;
import p2psync.common.Validate;
import p2psync.common.web.HttpOptions;

/**
 * What one peer synchronizes and where it talks. JSON keys: {@code dir}, {@code trackerHost},
 * {@code trackerPort}, {@code trackers} (more trackers to fail over to: an array or a
 * comma-separated string of {@code host:port}), {@code host}, {@code port}, {@code advertisedPort},
 * and {@link SyncConfig}'s.
 */
public final class PeerOptions {
  public static final String DEFAULT_DIR = ".";
  public static final String DEFAULT_TRACKER_HOST = "127.0.0.1";
  public static final int DEFAULT_TRACKER_PORT = 9000;
  public static final String DEFAULT_HOST = "0.0.0.0";

  /**
   * 2: speak v2 where the other party shows it does (docs/protocol-v2.md), seed elsewhere; 1: the
   * seed protocol only, as the course's peers. Seed by default until v2 meets its benchmark
   * targets: with 10,000 small files it is 30% slower and uses 3x the memory (docs/benchmarks.md).
   */
  public static final int DEFAULT_PROTOCOL = 1;

  /**
   * Serve on the first free port from {@link SyncConfig#getFirstPeerPort()} up, as the seed does.
   */
  public static final int FIRST_FREE_PORT = -1;

  /** Advertise the port we listen on. */
  public static final int SAME_AS_LISTENING = 0;

  private Path dir = Path.of(DEFAULT_DIR);
  private String trackerHost = DEFAULT_TRACKER_HOST;
  private int trackerPort = DEFAULT_TRACKER_PORT;
  private List<String> trackers = List.of();
  private String host = DEFAULT_HOST;
  private int port = FIRST_FREE_PORT;
  private int advertisedPort = SAME_AS_LISTENING;
  private SyncConfig sync = new SyncConfig();
  private HttpOptions http = new HttpOptions();
  private int protocol = DEFAULT_PROTOCOL;

  public PeerOptions() {}

  public PeerOptions(JsonObject json) {
    setDir(Path.of(json.getString("dir", DEFAULT_DIR)));
    setTrackerHost(json.getString("trackerHost", DEFAULT_TRACKER_HOST));
    setTrackerPort(json.getInteger("trackerPort", DEFAULT_TRACKER_PORT));
    setTrackers(ConfigLoader.stringList(json.getValue("trackers")));
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", FIRST_FREE_PORT));
    setAdvertisedPort(json.getInteger("advertisedPort", SAME_AS_LISTENING));
    setProtocol(json.getInteger("protocol", DEFAULT_PROTOCOL));
    setSync(new SyncConfig(json));
    setHttp(new HttpOptions(json));
  }

  public JsonObject toJson() {
    return http.addTo(sync.toJson())
        .put("dir", dir.toString())
        .put("trackerHost", trackerHost)
        .put("trackerPort", trackerPort)
        .put("trackers", new JsonArray(new ArrayList<>(trackers)))
        .put("host", host)
        .put("port", port)
        .put("advertisedPort", advertisedPort)
        .put("protocol", protocol);
  }

  /** The status API and /metrics: {@code httpHost}, {@code httpPort} (off by default). */
  public HttpOptions getHttp() {
    return http;
  }

  public PeerOptions setHttp(HttpOptions http) {
    this.http = Objects.requireNonNull(http, "http");
    return this;
  }

  /** The folder to synchronize. */
  public Path getDir() {
    return dir;
  }

  public PeerOptions setDir(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
    return this;
  }

  public String getTrackerHost() {
    return trackerHost;
  }

  public PeerOptions setTrackerHost(String trackerHost) {
    this.trackerHost = Validate.notBlank("trackerHost", trackerHost);
    return this;
  }

  public int getTrackerPort() {
    return trackerPort;
  }

  public PeerOptions setTrackerPort(int trackerPort) {
    this.trackerPort = Validate.inRange("trackerPort", trackerPort, 1, 65_535);
    return this;
  }

  /**
   * More trackers ({@code host:port}), nodes of the same tracker cluster: when the current tracker
   * is lost or cannot be reached, the next one is tried, in order after {@link #getTrackerHost()}.
   */
  public List<String> getTrackers() {
    return trackers;
  }

  public PeerOptions setTrackers(List<String> trackers) {
    for (String tracker : trackers) {
      parseTracker(tracker);
    }
    this.trackers = List.copyOf(trackers);
    return this;
  }

  /** Every tracker to use, the main one first. */
  public List<SocketAddress> trackerAddresses() {
    List<SocketAddress> all = new ArrayList<>();
    all.add(SocketAddress.inetSocketAddress(trackerPort, trackerHost));
    for (String tracker : trackers) {
      all.add(parseTracker(tracker));
    }
    return all;
  }

  /** {@code host:port}, {@code [v6]:port}. */
  static SocketAddress parseTracker(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("trackers: expected host:port, got " + text);
    }
    String host = text.substring(0, colon).strip();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("trackers: not a port in " + text);
    }
    Validate.inRange("trackers: port", port, 1, 65_535);
    return SocketAddress.inetSocketAddress(port, Validate.notBlank("trackers: host", host));
  }

  /** Address the file server binds. */
  public String getHost() {
    return host;
  }

  public PeerOptions setHost(String host) {
    this.host = Validate.notBlank("host", host);
    return this;
  }

  /** File server port: {@link #FIRST_FREE_PORT}, 0 for one the OS picks, or a fixed port. */
  public int getPort() {
    return port;
  }

  public PeerOptions setPort(int port) {
    this.port = Validate.inRange("port (-1: first free, 0: any)", port, FIRST_FREE_PORT, 65_535);
    return this;
  }

  /** Port told to the tracker, when others reach us through a proxy; 0 for the listening port. */
  public int getAdvertisedPort() {
    return advertisedPort;
  }

  public PeerOptions setAdvertisedPort(int advertisedPort) {
    this.advertisedPort = Validate.inRange("advertisedPort", advertisedPort, 0, 65_535);
    return this;
  }

  public int getProtocol() {
    return protocol;
  }

  public PeerOptions setProtocol(int protocol) {
    this.protocol = Validate.inRange("protocol", protocol, 1, 2);
    return this;
  }

  public SyncConfig getSync() {
    return sync;
  }

  public PeerOptions setSync(SyncConfig sync) {
    this.sync = Objects.requireNonNull(sync, "sync");
    return this;
  }
}
