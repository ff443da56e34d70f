package p2psync.peer.ranges;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import p2psync.common.FileNames;
import p2psync.common.SyncConfig;
import p2psync.common.v2.Sha256;
import p2psync.common.v2.V2Entry;
import p2psync.peer.v2.ContentMismatch;

/**
 * One large v2 file fetched in ranges from several holders at once (docs/protocol-v2.md, Ranges):
 * the file is cut into ranges of {@code rangeBytes}, handed out one at a time to up to as many
 * connections as it was given holders, each range written at its position in one temp file. A
 * holder that fails mid-range is dropped from this download and the rest of its range (the bytes
 * already written are kept) goes to another holder. The SHA-256 is computed in file order as
 * contiguous prefixes complete (each read back from the page cache on a worker while later ranges
 * arrive), so that about nothing is left to hash after the last range; on 2 busy cores this was as
 * fast as one read of the whole file at the end, not faster (docs/benchmarks.md section 7); once
 * every range is in and hashed it is compared, and the file forced and handed to the commit, the
 * single step that gives it its name.
 *
 * <p>A whole-file hash cannot say which range was wrong: a mismatch fails with a {@link
 * ContentMismatch} that blames nobody, and the caller fetches the file again from single holders,
 * where a liar is caught. No prefix is kept for a resume: a failed ranged download deletes its temp
 * file. All on the event loop of its creator, but the hashing and the commit (worker threads).
 */
public final class RangedDownload {
  private static final Logger LOG = System.getLogger(RangedDownload.class.getName());

  /** Blocking, on a worker: renames the verified, forced temp file to its name. */
  @FunctionalInterface
  public interface Commit {
    void commit(Path tempPath, long size) throws IOException;
  }

  /** What it tells its caller about each holder it stopped using before the end. */
  public interface Holders {
    /** Unreachable, cut off, silent: says nothing about its content. */
    void failed(V2Entry.Source holder, Throwable cause);

    /** Announced a length other than the range's: it does not serve that version. */
    void lied(V2Entry.Source holder, Throwable cause);
  }

  /** Reads of the file when it is hashed at the end. */
  private static final int HASH_READ_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final Executor writers;
  private final NetClient client;
  private final SyncConfig config;
  private final String name;
  private final V2Entry version;
  private final Path tempPath;
  private final Commit commit;
  private final Holders holders;

  /** Holders not given up on, in the order given (the picker's). */
  private final Set<V2Entry.Source> live;

  private final Deque<Range> pending;
  private final Map<RangeFetch, Future<RangeFetch.Outcome>> active = new HashMap<>();
  private final Map<V2Entry.Source, Integer> activeBy = new HashMap<>();
  private final Promise<String> result = Promise.promise();
  private final int maxConnections;
  private final long startedAt = System.currentTimeMillis();
  private final long startedNanos = System.nanoTime();

  /**
   * The SHA-256 of the file's first {@code hashQueuedTo} bytes once {@link #hashing} completes:
   * each contiguous prefix is read back and hashed (on a worker, one step after the other) as soon
   * as its ranges are in, while later ranges still arrive.
   */
  private final MessageDigest digest = Sha256.newDigest();

  /** Ranges (and kept parts of ranges) written but not yet hashed: start to end. */
  private final TreeMap<Long, Long> writtenNotHashed = new TreeMap<>();

  private long hashQueuedTo;

  /** The hash steps' reads (one step at a time). */
  private final ByteBuffer hashBuffer = ByteBuffer.allocateDirect(HASH_READ_BYTES);

  private Future<Void> hashing = Future.succeededFuture();
  private long written;
  private long transferTimer = -1;
  private Throwable failure;

  /** Hashing or committing: the temp file is busy, and a stop lets it finish. */
  private boolean finishing;

  /** The temp file is being created: a failure meanwhile settles once that is done. */
  private boolean creating;

  private boolean created;

  /**
   * @param holders the holders to use, at least two, each reachable as a v2 source
   * @param tempDir where the temp file goes (the folder: the rename must stay on one file system)
   */
  public RangedDownload(
      Vertx vertx,
      Executor writers,
      NetClient client,
      SyncConfig config,
      String name,
      V2Entry version,
      List<V2Entry.Source> sources,
      Path tempDir,
      Commit commit,
      Holders holders) {
    this.vertx = vertx;
    this.writers = writers;
    this.client = client;
    this.config = config;
    this.name = name;
    this.version = version;
    this.live = new LinkedHashSet<>(sources);
    this.maxConnections = sources.size();
    this.tempPath = tempDir.resolve(FileNames.newTempName());
    this.commit = commit;
    this.holders = holders;
    this.pending = Range.split(version.size(), config.getRangeBytes());
  }

  /** Body bytes received so far, from every holder (for the status page). */
  public long received() {
    return written + active.keySet().stream().mapToLong(RangeFetch::received).sum();
  }

  public long size() {
    return version.size();
  }

  public long startedAt() {
    return startedAt;
  }

  /** The holders it was given and has not given up on, as {@code ip:port}, joined by commas. */
  public String holdersNow() {
    return String.join(",", live.stream().map(V2Entry.Source::address).toList());
  }

  /**
   * Starts; the future completes with the verified SHA-256 once the file has its name, or fails
   * once the temp file is gone.
   */
  public Future<String> start() {
    transferTimer =
        vertx.setTimer(
            config.getTransferTimeout().toMillis(),
            t ->
                fail(
                    new IOException(
                        "transfer took longer than " + config.getTransferTimeout() + progress())));
    creating = true;
    vertx
        .executeBlocking(() -> Files.createFile(tempPath), false)
        .onComplete(
            created -> {
              creating = false;
              this.created = created.succeeded();
              if (created.failed()) {
                fail(new IOException("cannot create a temp file for " + name, created.cause()));
              } else if (failure == null) {
                LOG.log(
                    Level.DEBUG,
                    () ->
                        name
                            + ": "
                            + pending.size()
                            + " ranges from "
                            + holdersNow()
                            + ", "
                            + maxConnections
                            + " at once");
                fill();
              } else {
                settle(); // stopped while the file was being created
              }
            });
    return result.future();
  }

  /** Stops (the peer stops); completes once the temp file is gone. */
  public Future<Void> stop() {
    if (!finishing) {
      fail(new IOException("the peer is stopping" + progress()));
    }
    return result.future().transform(ar -> Future.succeededFuture());
  }

  /** Hands out pending ranges while connections are free, each to the least busy live holder. */
  private void fill() {
    while (failure == null && active.size() < maxConnections && !pending.isEmpty()) {
      V2Entry.Source holder = leastBusy();
      if (holder == null) {
        break;
      }
      Range range = pending.poll();
      RangeFetch fetch =
          new RangeFetch(
              vertx,
              writers,
              client,
              holder,
              name,
              version.sha256(),
              range,
              tempPath,
              config.getTransferIdleTimeout().toMillis());
      activeBy.merge(holder, 1, Integer::sum);
      Future<RangeFetch.Outcome> outcome = fetch.start();
      active.put(fetch, outcome);
      outcome.onSuccess(this::ended);
    }
    if (failure == null && active.isEmpty()) {
      if (pending.isEmpty()) {
        verify();
      } else {
        fail(new IOException("no holder of " + name + " left for " + pending.size() + " ranges"));
      }
    }
  }

  /**
   * The live holder with the fewest ranges under way; several per holder only once every live one
   * has one (so that a holder left alone finishes the file).
   */
  private V2Entry.Source leastBusy() {
    V2Entry.Source best = null;
    int fewest = Integer.MAX_VALUE;
    for (V2Entry.Source holder : live) {
      int busy = activeBy.getOrDefault(holder, 0);
      if (busy < fewest) {
        best = holder;
        fewest = busy;
      }
    }
    return best;
  }

  private void ended(RangeFetch.Outcome outcome) {
    RangeFetch fetch = outcome.fetch();
    active.remove(fetch);
    activeBy.computeIfPresent(fetch.holder(), (k, n) -> n > 1 ? n - 1 : null);
    Range range = fetch.range();
    written += outcome.writtenTo() - range.start();
    if (outcome.writtenTo() > range.start()) {
      writtenNotHashed.put(range.start(), outcome.writtenTo());
      hashPrefix();
    }
    if (outcome.failure() == null) {
      fill();
      return;
    }
    if (outcome.writtenTo() < range.end()) {
      // The rest of it first: the bytes kept are not asked for again.
      pending.addFirst(new Range(outcome.writtenTo(), range.end()));
    }
    switch (outcome.failure()) {
      case ABORTED -> {}
      case LOCAL -> fail(new IOException("cannot write the range " + range, outcome.cause()));
      case HOLDER, LIED -> {
        if (live.remove(fetch.holder())) {
          LOG.log(
              Level.INFO,
              name
                  + ": giving up on "
                  + fetch.holder().address()
                  + " ("
                  + outcome.cause().getMessage()
                  + "), "
                  + (outcome.writtenTo() - range.start())
                  + " bytes of its range "
                  + range
                  + " kept, the rest to "
                  + (live.isEmpty() ? "nobody" : holdersNow()));
          if (outcome.failure() == RangeFetch.Failure.LIED) {
            holders.lied(fetch.holder(), outcome.cause());
          } else {
            holders.failed(fetch.holder(), outcome.cause());
          }
        }
      }
    }
    if (failure == null) {
      fill();
    } else {
      settleWhenIdle();
    }
  }

  /** Queues the hash of the bytes just past the hashed prefix that are now written. */
  private void hashPrefix() {
    long from = hashQueuedTo;
    Long end;
    while ((end = writtenNotHashed.remove(hashQueuedTo)) != null) {
      hashQueuedTo = end;
    }
    long to = hashQueuedTo;
    if (to > from) {
      hashing =
          hashing.compose(
              v ->
                  vertx.executeBlocking(
                      () -> {
                        hash(from, to);
                        return null;
                      },
                      false));
    }
  }

  /**
   * Blocking: reads {@code [from, to)} back (just written: from the page cache) into the digest.
   */
  private void hash(long from, long to) throws IOException {
    ByteBuffer buffer = hashBuffer;
    try (FileChannel file = FileChannel.open(tempPath, StandardOpenOption.READ)) {
      for (long position = from; position < to; ) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), to - position));
        int read = file.read(buffer, position);
        if (read < 0) {
          throw new IOException("ends at byte " + position + ", before " + to);
        }
        position += read;
        buffer.flip();
        digest.update(buffer);
      }
    }
  }

  /** Every range is in: waits for the hash of the last ranges, then forces and commits. */
  private void verify() {
    finishing = true;
    long rangesIn = System.nanoTime();
    hashing
        .compose(v -> vertx.executeBlocking(() -> forceAndDigest(rangesIn), false))
        .onComplete(
            hashed -> {
              finishing = false;
              if (failure != null) {
                settle(); // timed out meanwhile
              } else if (hashed.failed()) {
                fail(new IOException("cannot read back " + tempPath.getFileName(), hashed.cause()));
              } else if (!hashed.result().equals(version.sha256())) {
                fail(
                    new ContentMismatch(
                        name
                            + " in ranges from several holders has SHA-256 "
                            + hashed.result()
                            + ", not the advertised "
                            + version.sha256()
                            + ": which range was wrong is unknown",
                        false));
              } else {
                vertx.cancelTimer(transferTimer);
                finishing = true;
                vertx
                    .executeBlocking(
                        () -> {
                          commit.commit(tempPath, version.size());
                          return null;
                        },
                        false)
                    .onSuccess(v -> result.tryComplete(version.sha256()))
                    .onFailure(
                        e -> {
                          finishing = false;
                          fail(new IOException("cannot store " + name, e));
                        });
              }
            });
  }

  /** Blocking, once every byte is hashed: an fsync (before the rename may show the file). */
  private String forceAndDigest(long rangesIn) throws IOException {
    long forcing = System.nanoTime();
    try (FileChannel file = FileChannel.open(tempPath, StandardOpenOption.WRITE)) {
      if (file.size() != version.size() || hashQueuedTo != version.size()) {
        throw new IOException(
            "holds " + file.size() + " bytes, " + hashQueuedTo + " hashed, not " + version.size());
      }
      file.force(false);
    }
    long done = System.nanoTime();
    // What docs/benchmarks.md section 7 weighs: the hash left after the last range, and the fsync.
    LOG.log(
        Level.INFO,
        () ->
            String.format(
                "%s: %d bytes in ranges in %.3f s, hashed %.3f s after the last range, forced in"
                    + " %.3f s",
                name,
                version.size(),
                (rangesIn - startedNanos) / 1e9,
                (forcing - rangesIn) / 1e9,
                (done - forcing) / 1e9));
    return Sha256.hex(digest.digest());
  }

  /** Fails with its first failure: aborts the ranges under way, then deletes the temp file. */
  private void fail(Throwable cause) {
    if (failure != null || result.future().isComplete()) {
      return;
    }
    failure = cause;
    vertx.cancelTimer(transferTimer);
    for (RangeFetch fetch : new ArrayList<>(active.keySet())) {
      fetch.abort();
    }
    settleWhenIdle();
  }

  private void settleWhenIdle() {
    if (active.isEmpty() && !finishing && !creating) {
      settle();
    }
  }

  private void settle() {
    if (!created) {
      result.tryFail(failure);
      return;
    }
    vertx
        .fileSystem()
        .delete(tempPath.toString())
        .onComplete(
            deleted -> {
              if (deleted.failed()) {
                LOG.log(Level.WARNING, "cannot delete the temp file " + tempPath, deleted.cause());
              }
              result.tryFail(failure);
            });
  }

  private String progress() {
    return " (" + received() + " of " + version.size() + " bytes in ranges)";
  }
}
