package p2psync.peer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import p2psync.common.delta.CompactMember;
import p2psync.common.delta.DeltaLine;
import p2psync.common.delta.MemberHash;
import p2psync.common.v2.V2Entry;

/**
 * A tracker speaking v2 directory deltas (docs/protocol-v2.md) from a directory the test writes,
 * and one v2 holder serving one content. The tracker answers each message with "no change" when the
 * peer holds the current version and the whole directory otherwise, and pushes each change the test
 * makes as a delta naming that one name. It never takes the peer's own claims into its directory (a
 * tombstone of the peer's is refused, as a restarted tracker may): the directory is the test's
 * alone, so a name changes only when the test says.
 */
final class PlayedDeltaTracker {
  private static final long EPOCH = 77;

  /** Every line the tracker read, in order. */
  final List<String> messages = new CopyOnWriteArrayList<>();

  /** Requests the holder read. */
  final AtomicInteger requests = new AtomicInteger();

  private final Map<String, byte[]> members = new TreeMap<>();
  private final List<NetSocket> peers = new ArrayList<>();
  private final List<NetSocket> waiting = new ArrayList<>();
  private long version = 1;
  private byte[] content = new byte[0];
  private boolean holding;

  int trackerPort;
  int holderPort;

  static String sha256(String content) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Future<Void> start(Vertx vertx) {
    NetServer holder =
        vertx
            .createNetServer()
            .connectHandler(
                socket ->
                    RecordParser.newDelimited("\n", socket)
                        .handler(
                            request -> {
                              requests.incrementAndGet();
                              synchronized (this) {
                                if (holding) {
                                  waiting.add(socket);
                                  return;
                                }
                              }
                              answer(socket);
                            }));
    NetServer tracker =
        vertx
            .createNetServer()
            .connectHandler(
                socket -> {
                  synchronized (this) {
                    peers.add(socket);
                  }
                  RecordParser.newDelimited("\n", socket)
                      .handler(line -> socket.write(reply(line.toString())));
                });
    return holder
        .listen(0, "127.0.0.1")
        .compose(
            h -> {
              holderPort = h.actualPort();
              return tracker.listen(0, "127.0.0.1");
            })
        .map(
            t -> {
              trackerPort = t.actualPort();
              return null;
            });
  }

  /** What the holder serves for any request (the v2 peer checks it against the hash it asked). */
  synchronized void holderServes(String bytes) {
    content = bytes.getBytes(StandardCharsets.UTF_8);
  }

  /** Requests wait, the connection open, until {@link #release}. */
  synchronized void hold() {
    holding = true;
  }

  /** Answers the requests held, and the next ones at once. */
  void release() {
    List<NetSocket> held;
    synchronized (this) {
      holding = false;
      held = List.copyOf(waiting);
      waiting.clear();
    }
    held.forEach(this::answer);
  }

  private void answer(NetSocket socket) {
    byte[] bytes;
    synchronized (this) {
      bytes = content;
    }
    socket.end(Buffer.buffer("Content-Length: " + bytes.length + "\n", "UTF-8").appendBytes(bytes));
  }

  /** The name's version held by the holder, from now on; pushed as a delta. */
  void file(String name, long mtime, String bytes) {
    V2Entry.Source holder = new V2Entry.Source("127.0.0.1", holderPort);
    change(
        name,
        CompactMember.encode(
            name,
            holder.ip(),
            holder.port(),
            mtime,
            bytes.getBytes(StandardCharsets.UTF_8).length,
            sha256(bytes),
            false,
            List.of(holder)));
  }

  /** A deletion of the version {@code bytes} at {@code deletedAt}; pushed as a delta. */
  void tombstone(String name, long deletedAt, String bytes) {
    change(
        name,
        CompactMember.encode(
            name,
            "127.0.0.1",
            1,
            deletedAt,
            bytes.getBytes(StandardCharsets.UTF_8).length,
            sha256(bytes),
            true,
            List.of(new V2Entry.Source("127.0.0.1", 1))));
  }

  /** The current version of the directory. */
  synchronized long version() {
    return version;
  }

  private void change(String name, byte[] member) {
    String delta;
    List<NetSocket> to;
    synchronized (this) {
      members.put(name, member);
      version++;
      delta = line(version - 1, List.of(member));
      to = List.copyOf(peers);
    }
    to.forEach(socket -> socket.write(delta));
  }

  private synchronized String reply(String message) {
    messages.add(message);
    JsonObject delta = new JsonObject(message).getJsonObject("delta");
    boolean current =
        delta != null
            && Long.valueOf(EPOCH).equals(delta.getLong("epoch"))
            && Long.valueOf(version).equals(delta.getLong("version"));
    return current ? line(version, List.of()) : line(0, members.values());
  }

  /** A versioned line from {@code from} (0: the whole directory) to the current version. */
  private String line(long from, Iterable<byte[]> changed) {
    long hash = 0;
    for (byte[] member : members.values()) {
      hash += MemberHash.of(member);
    }
    StringBuilder out = new StringBuilder("{");
    out.append(new String(DeltaLine.mark(EPOCH, from, version, hash), StandardCharsets.UTF_8));
    for (byte[] member : changed) {
      out.append(", ").append(new String(member, StandardCharsets.UTF_8));
    }
    return out.append("}\n").toString();
  }
}
