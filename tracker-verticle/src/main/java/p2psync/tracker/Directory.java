package p2psync.tracker;

import io.vertx.core.buffer.Buffer;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;

/**
 * The tracker's global view: for every name, the live peer holding its newest version.
 *
 * <p>Newest mtime wins. Equal mtimes go to the lowest address, comparing the ip as a string and
 * then the port, so any tracker that has seen the same peers names the same winner whatever order
 * they arrived in. Every holder of a name is kept, ordered, so a leaving winner is replaced by the
 * next best at once. The encoded line is built once per change and shared by every reply.
 *
 * <p>Not thread-safe: owned by the tracker verticle's event loop.
 */
final class Directory {

  /** One peer's claim to hold one name. */
  private record Claim(long mtime, String ip, int port, long peerId) {}

  private static final Comparator<Claim> BEST_FIRST = Comparator
      .comparingLong(Claim::mtime).reversed()
      .thenComparing(Claim::ip)
      .thenComparingInt(Claim::port)
      .thenComparingLong(Claim::peerId);

  private static final class Peer {
    String ip;
    int port;
    Map<String, Long> files = Map.of();
  }

  private final Map<Long, Peer> peers = new HashMap<>();
  // Sorted by name so the line does not depend on arrival order either.
  private final TreeMap<String, TreeSet<Claim>> claims = new TreeMap<>();
  private Buffer encoded;
  private long version;

  /** Records or updates the file-serving address of a peer. */
  void register(long peerId, String ip, int port) {
    Peer peer = peers.get(peerId);
    if (peer == null) {
      peer = new Peer();
      peer.ip = ip;
      peer.port = port;
      peers.put(peerId, peer);
    } else if (!peer.ip.equals(ip) || peer.port != port) {
      Map<String, Long> files = peer.files;
      withdraw(peerId, peer);
      peer.ip = ip;
      peer.port = port;
      peer.files = files;
      files.forEach((name, mtime) -> claim(name, new Claim(mtime, ip, port, peerId)));
    }
  }

  /** Replaces the file list of a registered peer; names it lists again unchanged stay as they are. */
  void replaceFiles(long peerId, List<FileEntry> files) {
    Peer peer = Objects.requireNonNull(peers.get(peerId), "unregistered peer");
    Map<String, Long> latest = new HashMap<>(files.size() * 2);
    for (FileEntry file : files) {
      latest.merge(file.name(), file.mtime(), Math::max);
    }
    peer.files.forEach((name, mtime) -> {
      if (!mtime.equals(latest.get(name))) {
        unclaim(name, new Claim(mtime, peer.ip, peer.port, peerId));
      }
    });
    latest.forEach((name, mtime) -> {
      if (!mtime.equals(peer.files.get(name))) {
        claim(name, new Claim(mtime, peer.ip, peer.port, peerId));
      }
    });
    peer.files = latest;
  }

  /** Takes every claim of a peer out of the directory. */
  void remove(long peerId) {
    Peer peer = peers.remove(peerId);
    if (peer != null) {
      withdraw(peerId, peer);
    }
  }

  boolean contains(long peerId) {
    return peers.containsKey(peerId);
  }

  int peerCount() {
    return peers.size();
  }

  int nameCount() {
    return claims.size();
  }

  /** Increases whenever the encoded directory changes. */
  long version() {
    return version;
  }

  /** The current winner of a name, or null. */
  DirectoryEntry winner(String name) {
    TreeSet<Claim> holders = claims.get(name);
    return holders == null ? null : entry(holders.first());
  }

  /** The directory line, {@code \n} included, as seed peers expect it. */
  Buffer encoded() {
    if (encoded == null) {
      StringBuilder out = new StringBuilder(2 + claims.size() * 64).append('{');
      boolean first = true;
      for (Map.Entry<String, TreeSet<Claim>> e : claims.entrySet()) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        SeedCodec.appendDirectoryEntry(out, e.getKey(), entry(e.getValue().first()));
      }
      encoded = Buffer.buffer(out.append("}\n").toString());
    }
    return encoded;
  }

  private void withdraw(long peerId, Peer peer) {
    peer.files.forEach((name, mtime) -> unclaim(name, new Claim(mtime, peer.ip, peer.port, peerId)));
    peer.files = Map.of();
  }

  private void unclaim(String name, Claim claim) {
    TreeSet<Claim> holders = claims.get(name);
    boolean wasWinner = holders.first().equals(claim);
    holders.remove(claim);
    if (holders.isEmpty()) {
      claims.remove(name);
      changed();
    } else if (wasWinner && !sameEntry(claim, holders.first())) {
      changed();
    }
  }

  private void claim(String name, Claim claim) {
    TreeSet<Claim> holders = claims.computeIfAbsent(name, n -> new TreeSet<>(BEST_FIRST));
    Claim before = holders.isEmpty() ? null : holders.first();
    holders.add(claim);
    if (before == null || (holders.first() == claim && !sameEntry(before, claim))) {
      changed();
    }
  }

  private static boolean sameEntry(Claim a, Claim b) {
    return a.mtime() == b.mtime() && a.port() == b.port() && a.ip().equals(b.ip());
  }

  private static DirectoryEntry entry(Claim claim) {
    return new DirectoryEntry(claim.ip(), claim.port(), claim.mtime());
  }

  private void changed() {
    encoded = null;
    version++;
  }
}
