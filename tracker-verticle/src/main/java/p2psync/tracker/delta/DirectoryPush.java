package p2psync.tracker.delta;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import p2psync.common.OnContext;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaRequest;

/**
 * Versions and pushes of a tracker's v2 directory for the connections that asked for deltas
 * (docs/protocol-v2.md, "Directory deltas and push"): publishes a version of the changed members at
 * most once per {@code directoryPushInterval}, answers each message with the delta from the version
 * its peer holds, and pushes each new version to the connections that asked for pushes.
 *
 * <p>Costs nothing until the first connection asks: the directory then starts tracking which
 * members change. Not thread-safe: owned by the tracker verticle's event loop.
 */
public final class DirectoryPush {
  private static final Logger LOG = System.getLogger(DirectoryPush.class.getName());

  /** The directory's side: its members that changed since the last drain. */
  public interface Members {
    /** Starts tracking changes, with every current member counting as changed. */
    void track();

    boolean changed();

    /** The changed members ({@code null}: the name left) since the last call; resets them. */
    Map<String, byte[]> drain();
  }

  /** Where a connection's lines go. */
  public interface Writer {
    /**
     * Writes a line this push owns (retain it for the write); false when the connection cannot take
     * one now (its write queue is full): a push then waits for the next version or reply.
     */
    boolean write(ByteBuf line, boolean pushed);
  }

  /** One connection that asked for deltas: the last version written to it, and whether to push. */
  public static final class Subscription {
    private final Writer writer;
    private long sent;
    private boolean push;

    private Subscription(Writer writer) {
      this.writer = writer;
    }

    /** The last version written on this connection (0: none yet). */
    public long sent() {
      return sent;
    }
  }

  /** Directories smaller than this are paced as if they had this many bytes of members. */
  private static final long PACING_FLOOR_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final Members members;
  private final DeltaLog log;
  private final long intervalNanos;
  private final long keepAliveNanos;

  /** How long after the last publish the next may come: the interval, or more after a big one. */
  private long pauseNanos;

  private final LongSupplier nanoClock;
  private final Set<Subscription> subscriptions = new LinkedHashSet<>();
  private boolean tracking;
  private long timer = -1;
  private long publishedAt;
  private long pushes;
  private boolean closed;

  /** Pushes written per turn of the event loop. */
  private static final int PUSH_BATCH = 256;

  public DirectoryPush(Vertx vertx, SyncConfig config, Members members) {
    this(vertx, config, members, randomEpoch(), System::nanoTime);
  }

  public DirectoryPush(
      Vertx vertx, SyncConfig config, Members members, long epoch, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.members = members;
    this.log = new DeltaLog(epoch, config.getDeltaLogVersions(), config.getDeltaLogBytes());
    this.intervalNanos = config.getDirectoryPushInterval().toNanos();
    this.keepAliveNanos = config.getKeepAliveInterval().toNanos();
    this.pauseNanos = intervalNanos;
    this.nanoClock = nanoClock;
  }

  /**
   * 1 to 2^53 - 1: the integers every JSON reader keeps exact; another process (a restart, another
   * node) picks another one, so its versions are never taken for this one's.
   */
  static long randomEpoch() {
    return 1 + new SecureRandom().nextLong((1L << 53) - 1);
  }

  public long epoch() {
    return log.epoch();
  }

  /** The current version (0: no connection asked for deltas yet). */
  public long version() {
    return log.version();
  }

  /** Lines pushed so far. */
  public long pushes() {
    return pushes;
  }

  public Subscription subscribe(Writer writer) {
    Subscription subscription = new Subscription(writer);
    subscriptions.add(subscription);
    if (!tracking) {
      tracking = true;
      members.track();
      publish();
      pauseNanos = intervalNanos; // the whole directory, to nobody yet: nothing to pace
    }
    return subscription;
  }

  public void unsubscribe(Subscription subscription) {
    if (subscription != null) {
      subscriptions.remove(subscription);
    }
  }

  /**
   * The line answering a message of a subscribed connection; {@code request} null when the message
   * had no {@code "delta"}: from the last version written to it. Owned by this push (retain it for
   * the write).
   */
  public ByteBuf answer(Subscription subscription, DeltaRequest request) {
    long from;
    if (request == null) {
      from = subscription.sent;
    } else {
      subscription.push |= request.push();
      // A version this connection was sent after the peer wrote its message: the peer reads that
      // line before this one (TCP keeps them in order), so answer from it.
      from =
          request.holds() && request.epoch() == log.epoch()
              ? Math.max(request.version(), subscription.sent)
              : 0;
    }
    subscription.sent = log.version();
    return log.reply(from);
  }

  /** The directory may have changed: publish (and push) within one interval. */
  public void touched() {
    if (!tracking || timer != -1 || !members.changed()) {
      return;
    }
    long wait = publishedAt + pauseNanos - nanoClock.getAsLong();
    long millis = Math.max(1, Duration.ofNanos(wait).toMillis());
    timer =
        vertx.setTimer(
            millis,
            t -> {
              timer = -1;
              publish();
            });
  }

  private void publish() {
    publishedAt = nanoClock.getAsLong();
    if (!log.publish(members.drain())) {
      return;
    }
    long version = log.version();
    // Paced: pushes cost a peer at most what a whole directory every keepalive would. A delta as
    // big as the directory (a join storm changes every name's sources) holds the next publish back
    // one keepalive interval; a steady trickle of small ones is pushed every interval. A small
    // directory is cheap to send whole, so it is paced as if it were PACING_FLOOR_BYTES.
    double share = log.lastChangeBytes() / (double) Math.max(PACING_FLOOR_BYTES, log.memberBytes());
    pauseNanos = Math.max(intervalNanos, (long) (keepAliveNanos * Math.min(1.0, share)));
    pushFrom(new ArrayList<>(subscriptions), 0);
    LOG.log(
        Level.DEBUG,
        () -> "directory " + log.epoch() + " version " + version + ", " + log.size() + " names");
  }

  /**
   * Pushes the current version to the connections of {@code targets} from {@code from} on, at most
   * {@link #PUSH_BATCH} between two polls of the event loop's sockets: thousands of writes at once
   * would hold up every message waiting behind them (measured: KeepAlive p99 0.7 s at 5,000 peers
   * in one go, 45 ms in batches chained so that they still ran back to back; docs/benchmarks.md,
   * 10b).
   */
  private void pushFrom(List<Subscription> targets, int from) {
    int end = Math.min(targets.size(), from + PUSH_BATCH);
    for (int i = from; i < end; i++) {
      Subscription subscription = targets.get(i);
      long version = log.version(); // may have moved on since the push began: push the newest
      if (subscription.push
          && subscription.sent > 0
          && subscription.sent < version
          && subscriptions.contains(subscription)
          && subscription.writer.write(log.reply(subscription.sent), true)) {
        subscription.sent = version;
        pushes++;
      }
    }
    if (end < targets.size() && !closed) {
      OnContext.afterNextPoll(vertx, () -> pushFrom(targets, end));
    }
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(timer);
    log.close();
  }
}
