package p2psync.tracker.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import p2psync.common.FileEntry;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.common.v2.Sha256;
import p2psync.tracker.PeerRecord;
import p2psync.tracker.Replication;
import p2psync.tracker.TrackerOptions;

/**
 * One tracker node's link to the others: each node owns the records of its own peers (address and
 * files) and publishes every change of one on the clustered event bus, numbered by a per-node
 * sequence; every node keeps the other nodes' records in its own directory, under negative ids.
 *
 * <ul>
 *   <li>A record that arrives in sequence is applied at once: one event-bus hop between a change on
 *       one node and the directory of every other.
 *   <li>A gap in a node's sequence (a partition, a subscription not yet seen by the sender), or a
 *       heartbeat ({@code clusterSyncInterval}) showing a sequence beyond the last one applied,
 *       makes the node ask for that node's full state, which replaces what it held of it. A joining
 *       node asks every member at once.
 *   <li>Hazelcast's membership decides who is alive: a node that leaves or dies (no heartbeat for
 *       {@code clusterMemberTimeout}) takes its peers out of every other directory, and records
 *       from a node that is not a member are ignored.
 * </ul>
 *
 * <p>The directory orders every name's holders by mtime, then address, whatever the order the
 * records came in, so every node that holds the same records names the same winners.
 *
 * <p>State is confined to the tracker's event loop; Hazelcast's membership events hop onto it.
 */
public final class ClusterReplication implements Replication {
  private static final Logger LOG = System.getLogger(ClusterReplication.class.getName());

  /** Published: every node's peer records, heartbeats and full states. */
  static final String RECORDS = "p2psync.tracker.cluster.records";

  /** Published: "node X, send your full state". */
  static final String SYNC = "p2psync.tracker.cluster.sync";

  private final HazelcastClusterManager clusterManager;
  private Context context;
  private Vertx vertx;
  private SyncConfig sync;
  private RemotePeers directory;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private UUID membershipListener;
  private long heartbeatTimer = -1;
  private boolean started;
  private boolean stopped;

  // ---- our own peers
  private final Map<Long, PeerRecord> localPeers = new LinkedHashMap<>();
  private long sequence;
  private boolean statePending;

  // ---- the other nodes' peers
  /** The other nodes, as Hazelcast's membership has them. */
  private final Set<String> members = new HashSet<>();

  private final Map<String, Origin> origins = new HashMap<>();
  private long nextRemoteId = -1;

  /**
   * What this node holds of another node: its peers, by their id there, and how far its stream
   * went.
   */
  private static final class Origin {
    long sequence;
    final Map<Long, Long> directoryIds = new HashMap<>();
    long syncAskedAt;
    boolean syncAsked;
  }

  public ClusterReplication(HazelcastClusterManager clusterManager) {
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<Void> start(Context context, TrackerOptions options, RemotePeers directory) {
    this.context = context;
    this.vertx = context.owner();
    this.sync = options.getSync();
    this.directory = directory;
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(RECORDS, m -> guarded("record", m.body(), this::onRecord)));
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                SYNC, m -> guarded("sync request", m.body(), this::onSyncRequest)));
    // Subscribed first, so that nothing published after a state we asked for is missed.
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> context.executeBlocking(this::listenToMembership))
        .map(
            current -> {
              started = true;
              current.forEach(this::memberAdded);
              heartbeatTimer =
                  vertx.setPeriodic(sync.getClusterSyncInterval().toMillis(), t -> heartbeat());
              LOG.log(
                  Level.INFO,
                  "tracker node " + self() + " joined the cluster; other nodes: " + members);
              return null;
            });
  }

  /** Local calls into Hazelcast, off the event loop all the same: they may take its locks. */
  private Set<String> listenToMembership() {
    Cluster cluster = clusterManager.getHazelcastInstance().getCluster();
    membershipListener =
        cluster.addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {
                String id = event.getMember().getUuid().toString();
                context.runOnContext(v -> ClusterReplication.this.memberAdded(id));
              }

              @Override
              public void memberRemoved(MembershipEvent event) {
                String id = event.getMember().getUuid().toString();
                context.runOnContext(v -> ClusterReplication.this.memberRemoved(id));
              }
            });
    Set<String> current = new HashSet<>();
    for (Member member : cluster.getMembers()) {
      current.add(member.getUuid().toString());
    }
    return current;
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(heartbeatTimer);
    Future<Void> unsubscribed =
        Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    UUID listener = membershipListener;
    if (listener == null) {
      return unsubscribed;
    }
    return unsubscribed.compose(
        v ->
            context.executeBlocking(
                () -> {
                  try {
                    clusterManager
                        .getHazelcastInstance()
                        .getCluster()
                        .removeMembershipListener(listener);
                  } catch (RuntimeException e) {
                    // the member is already shutting down with Vert.x: nothing left to listen to
                    LOG.log(Level.DEBUG, "membership listener not removed", e);
                  }
                  return null;
                }));
  }

  // ---- our peers --------------------------------------------------------------------------------

  @Override
  public void localPeerChanged(long peerId, PeerRecord peer) {
    localPeers.put(peerId, peer);
    publish(encode(peer).put("kind", "peer").put("peer", peerId).put("seq", ++sequence));
  }

  @Override
  public void localPeerRemoved(long peerId) {
    if (localPeers.remove(peerId) != null) {
      publish(new JsonObject().put("kind", "gone").put("peer", peerId).put("seq", ++sequence));
    }
  }

  private void heartbeat() {
    publish(new JsonObject().put("kind", "beat").put("seq", sequence));
  }

  private void onSyncRequest(JsonObject request) {
    if (self().equals(request.getString("node")) && !statePending) {
      // Several nodes may ask at once (a join, a heal): one state answers them all.
      statePending = true;
      context.runOnContext(
          v -> {
            statePending = false;
            JsonArray peers = new JsonArray();
            localPeers.forEach((id, peer) -> peers.add(encode(peer).put("peer", id)));
            publish(new JsonObject().put("kind", "state").put("seq", sequence).put("peers", peers));
          });
    }
  }

  private void publish(JsonObject message) {
    // Changes before the cluster is joined are kept in localPeers; the first heartbeat announces
    // them.
    if (started && !stopped) {
      vertx.eventBus().publish(RECORDS, message.put("node", self()));
    }
  }

  // ---- the other nodes' peers -------------------------------------------------------------------

  private void onRecord(JsonObject message) {
    String node = message.getString("node");
    if (node == null || node.equals(self())) {
      return;
    }
    if (!members.contains(node)) {
      // Not (or no longer) a member: its peers must stay out. If it joins, memberAdded asks for its
      // state.
      LOG.log(Level.DEBUG, "ignoring a record of " + node + ", not a member");
      return;
    }
    Origin origin = origins.computeIfAbsent(node, k -> new Origin());
    long seq = message.getLong("seq");
    String kind = message.getString("kind");
    switch (kind == null ? "" : kind) {
      case "state" -> {
        if (seq >= origin.sequence) {
          applyState(origin, message.getJsonArray("peers"));
          origin.sequence = seq;
          origin.syncAsked = false;
        }
      }
      case "peer", "gone" -> {
        if (seq == origin.sequence + 1) {
          if (kind.equals("peer")) {
            PeerRecord peer = decode(message);
            directory.put(
                origin.directoryIds.computeIfAbsent(message.getLong("peer"), k -> nextRemoteId--),
                peer);
          } else {
            Long id = origin.directoryIds.remove(message.getLong("peer"));
            if (id != null) {
              directory.remove(id);
            }
          }
          origin.sequence = seq;
        } else if (seq > origin.sequence + 1) {
          askForState(
              node, origin, "records " + (origin.sequence + 1) + ".." + (seq - 1) + " missed");
        }
      }
      case "beat" -> {
        if (seq > origin.sequence) {
          askForState(node, origin, "at record " + seq + ", we have " + origin.sequence);
        }
      }
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  private void applyState(Origin origin, JsonArray peers) {
    // Decoded whole before anything changes: a bad state changes nothing.
    Map<Long, PeerRecord> state = new HashMap<>();
    for (int i = 0; i < peers.size(); i++) {
      JsonObject peer = peers.getJsonObject(i);
      state.put(peer.getLong("peer"), decode(peer));
    }
    origin
        .directoryIds
        .entrySet()
        .removeIf(
            e -> {
              if (!state.containsKey(e.getKey())) {
                directory.remove(e.getValue());
                return true;
              }
              return false;
            });
    state.forEach(
        (peerId, peer) ->
            directory.put(origin.directoryIds.computeIfAbsent(peerId, k -> nextRemoteId--), peer));
  }

  private void askForState(String node, Origin origin, String why) {
    long now = System.nanoTime();
    if (origin.syncAsked && now - origin.syncAskedAt < sync.getClusterSyncInterval().toNanos()) {
      return; // asked already; the next heartbeat asks again if the state never came
    }
    origin.syncAsked = true;
    origin.syncAskedAt = now;
    LOG.log(Level.DEBUG, "asking " + node + " for its state: " + why);
    vertx.eventBus().publish(SYNC, new JsonObject().put("node", node).put("from", self()));
  }

  private void memberAdded(String node) {
    if (stopped || node.equals(self()) || !members.add(node)) {
      return;
    }
    LOG.log(Level.INFO, "tracker node " + node + " is a member");
    askForState(node, origins.computeIfAbsent(node, k -> new Origin()), "it joined");
  }

  private void memberRemoved(String node) {
    members.remove(node);
    Origin origin = origins.remove(node);
    if (origin != null) {
      origin.directoryIds.values().forEach(directory::remove);
      LOG.log(
          Level.INFO,
          "tracker node "
              + node
              + " left the cluster; peers of it leaving the directory: "
              + origin.directoryIds.size());
    }
  }

  @Override
  public List<String> nodes() {
    if (stopped) {
      return List.of();
    }
    List<String> nodes = new ArrayList<>();
    nodes.add(self());
    members.stream().sorted().forEach(nodes::add);
    return nodes;
  }

  /**
   * This node's Hazelcast member id, as the membership events name nodes (Vert.x's node id is
   * another one). Read each time: a member that merges back after a partition may get a new one.
   */
  private String self() {
    return clusterManager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString();
  }

  // ---- encoding ---------------------------------------------------------------------------------

  private static JsonObject encode(PeerRecord peer) {
    JsonArray files = new JsonArray(new ArrayList<>(peer.files().size()));
    for (FileEntry file : peer.files()) {
      JsonArray entry = new JsonArray().add(file.name()).add(file.mtime());
      if (file.hasHash()) {
        entry.add(file.size()).add(file.sha256()); // v2's fields, replicated as they came
        if (file.deleted()) {
          entry.add(true); // a tombstone
        }
      }
      files.add(entry);
    }
    return new JsonObject().put("ip", peer.ip()).put("port", peer.port()).put("files", files);
  }

  /** Trusts another node no more than a peer: names that are never synced are dropped. */
  private static PeerRecord decode(JsonObject json) {
    String ip = json.getString("ip");
    int port = json.getInteger("port");
    if (ip == null || port < 1 || port > 65_535) {
      throw new IllegalArgumentException("bad address " + ip + ":" + port);
    }
    JsonArray files = json.getJsonArray("files");
    List<FileEntry> entries = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      JsonArray file = files.getJsonArray(i);
      String name = file.getString(0);
      if (name != null && FileNames.isSyncable(name)) {
        long mtime = file.getLong(1);
        boolean hashed =
            file.size() >= 4
                && file.getValue(2) instanceof Number size
                && size.longValue() >= 0
                && Sha256.isHex(file.getValue(3) instanceof String sha ? sha : null);
        boolean deleted = file.size() >= 5 && Boolean.TRUE.equals(file.getValue(4));
        if (hashed) {
          entries.add(new FileEntry(name, mtime, file.getLong(2), file.getString(3), deleted));
        } else if (!deleted) {
          entries.add(new FileEntry(name, mtime));
        }
      }
    }
    return new PeerRecord(ip, port, entries);
  }

  private static void guarded(String what, JsonObject body, Consumer<JsonObject> handler) {
    try {
      handler.accept(body);
    } catch (RuntimeException e) {
      // Another node's bad message must not take this one down; it is dropped, the next state
      // repairs.
      String text = String.valueOf(body);
      LOG.log(
          Level.WARNING,
          "ignoring a bad "
              + what
              + " from the cluster: "
              + (text.length() > 200 ? text.substring(0, 200) + "..." : text),
          e);
    }
  }
}
