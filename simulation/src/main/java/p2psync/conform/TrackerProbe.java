package p2psync.conform;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.ProtocolException;
import p2psync.common.SeedCodec;

/**
 * What a tracker case works with: peers played over raw sockets, unique names and ports, the
 * timeouts, and the case's transcript. One per case; {@link #close()} closes its peers.
 */
public final class TrackerProbe implements Probe {
  /**
   * Advertised file ports, unique within a run: trackers key peers by ip and port, so two played
   * peers never share one. Nothing listens on them; a tracker never connects to a peer.
   */
  private static final AtomicInteger NEXT_PORT = new AtomicInteger(20_000);

  private final String host;
  private final int port;
  private final String prefix;
  private final Timeouts timeouts;
  private final Transcript transcript = new Transcript();
  private final List<WirePeer> peers = new ArrayList<>();

  /**
   * How long the kit waits: for a reply; for silence that shows no reply comes; for a disconnected
   * peer's files to leave.
   */
  public record Timeouts(Duration reply, Duration quiet, Duration leave) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5));
  }

  TrackerProbe(String host, int port, String prefix, Timeouts timeouts) {
    this.host = host;
    this.port = port;
    this.prefix = prefix;
    this.timeouts = timeouts;
  }

  WirePeer peer(String label) throws IOException {
    WirePeer peer = WirePeer.connect(label, host, port, transcript);
    peers.add(peer);
    return peer;
  }

  /** A file port no other played peer advertises. */
  int nextPort() {
    return NEXT_PORT.getAndIncrement();
  }

  /**
   * A name unique to this run and case, so what other cases (or earlier runs) left never matters.
   */
  String name(String suffix) {
    return prefix + suffix;
  }

  Timeouts timeouts() {
    return timeouts;
  }

  @Override
  public Transcript transcript() {
    return transcript;
  }

  static String init(int port, FileEntry... files) {
    return SeedCodec.encodeInit(port, List.of(files));
  }

  static String init(int port, List<FileEntry> files) {
    return SeedCodec.encodeInit(port, files);
  }

  static String keepAlive(int port) {
    return SeedCodec.encodeKeepAlive(port);
  }

  /** The directory a reply carries, or a {@link ProtocolException} saying why it is none. */
  static SeedCodec.Directory directory(WirePeer.Read read) throws ProtocolException {
    if (!read.isLine()) {
      throw new ProtocolException("expected a directory line, got " + read);
    }
    return SeedCodec.decodeDirectory(Buffer.buffer(read.bytes()));
  }

  /** {@code name}'s entry in a reply, described for evidence ("absent" when missing). */
  static String describe(SeedCodec.Directory directory, String name) {
    DirectoryEntry entry = directory.entries().get(name);
    return entry == null
        ? name + " absent"
        : name + " -> " + entry.ip() + ":" + entry.port() + " mtime " + entry.mtime();
  }

  /** True when {@code name} is listed for {@code port} with {@code mtime}. */
  static boolean lists(SeedCodec.Directory directory, String name, int port, long mtime) {
    DirectoryEntry entry = directory.entries().get(name);
    return entry != null && entry.port() == port && entry.mtime() == mtime;
  }

  @Override
  public void close() {
    peers.forEach(WirePeer::close);
  }
}
