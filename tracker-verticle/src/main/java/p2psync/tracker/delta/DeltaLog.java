package p2psync.tracker.delta;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import p2psync.common.SeedCodec;
import p2psync.common.delta.DeltaLine;
import p2psync.common.delta.DeltaRequest;
import p2psync.common.delta.MemberHash;

/**
 * The versions of one tracker's v2 directory and the changes between them (docs/protocol-v2.md,
 * "Directory deltas and push"), in terms of members only ({@code name -> encoded member}, whatever
 * a member contains), so it knows nothing of how members are built.
 *
 * <p>Every line it hands out is built once and shared: the full line once per version, a delta once
 * per (version it starts from, current version), whatever the number of peers at that version. It
 * holds one reference to each and releases them when the version moves on; a writer retains its own
 * for as long as its write runs.
 *
 * <p>Not thread-safe: owned by the tracker verticle's event loop.
 */
public final class DeltaLog {

  /** A member of the current directory and its hash number. */
  private record Member(byte[] bytes, long hash) {}

  /** The changes that made version {@code number}: per name, its new member or its removal. */
  private record Version(long number, TreeMap<String, byte[]> changes, long bytes) {}

  private final long epoch;
  private final int maxVersions;
  private final long maxBytes;
  private final TreeMap<String, Member> members = new TreeMap<>();
  private final ArrayDeque<Version> log = new ArrayDeque<>();
  private long logBytes;
  private long memberBytes;
  private long lastChangeBytes;
  private long version;
  private long hash;

  private ByteBuf full;
  private final Map<Long, ByteBuf> deltas = new HashMap<>();

  /**
   * @param epoch this directory's history, ≥ 1: a random number per tracker process and node
   */
  public DeltaLog(long epoch, int maxVersions, long maxBytes) {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be at least 1");
    }
    this.epoch = epoch;
    this.maxVersions = maxVersions;
    this.maxBytes = maxBytes;
  }

  public long epoch() {
    return epoch;
  }

  /** The current version; 0 before the first {@link #publish}. */
  public long version() {
    return version;
  }

  public long hash() {
    return hash;
  }

  public int size() {
    return members.size();
  }

  /** The bytes of every member: about the size of the full line. */
  public long memberBytes() {
    return memberBytes;
  }

  /** The bytes of the members the current version changed: about the size of its delta. */
  public long lastChangeBytes() {
    return lastChangeBytes;
  }

  /** The oldest version a delta can start from. */
  public long oldest() {
    return log.isEmpty() ? version : log.peekFirst().number() - 1;
  }

  /**
   * Makes the next version from changed members ({@code null}: the name left). Members given with
   * the bytes they already have are no change; nothing changed, no version.
   *
   * @return whether a version was made
   */
  public boolean publish(Map<String, byte[]> changed) {
    TreeMap<String, byte[]> changes = new TreeMap<>();
    long bytes = 0;
    long sum = hash;
    for (Map.Entry<String, byte[]> change : changed.entrySet()) {
      String name = change.getKey();
      byte[] bytesNow = change.getValue();
      Member old = members.get(name);
      if (bytesNow == null) {
        if (old == null) {
          continue;
        }
        members.remove(name);
        memberBytes -= old.bytes().length;
        sum -= old.hash();
        byte[] removal = DeltaLine.removal(name);
        changes.put(name, removal);
        bytes += removal.length;
      } else {
        if (old != null && Arrays.equals(old.bytes(), bytesNow)) {
          continue;
        }
        Member member = new Member(bytesNow, MemberHash.of(bytesNow));
        members.put(name, member);
        memberBytes += bytesNow.length - (old == null ? 0 : old.bytes().length);
        sum += member.hash() - (old == null ? 0 : old.hash());
        changes.put(name, bytesNow);
        bytes += bytesNow.length;
      }
    }
    if (version > 0 && changes.isEmpty()) {
      return false;
    }
    version++;
    hash = sum;
    lastChangeBytes = bytes;
    log.addLast(new Version(version, changes, bytes));
    logBytes += bytes;
    while (log.size() > maxVersions || logBytes > maxBytes) {
      logBytes -= log.removeFirst().bytes();
    }
    releaseLines();
    return true;
  }

  /**
   * The line answering {@code request}: a delta from the version it holds (the "no change" mark
   * when it is the current one), or the full directory when it holds none of this epoch's within
   * the log. Owned by this log: retain it to keep it past the next {@link #publish}.
   */
  public ByteBuf reply(DeltaRequest request) {
    return reply(request.holds() && request.epoch() == epoch ? request.version() : 0);
  }

  /** As {@link #reply(DeltaRequest)}, from a version of this epoch (0: none). */
  public ByteBuf reply(long from) {
    if (from < 1 || from > version || from < oldest()) {
      return fullLine();
    }
    ByteBuf delta = deltas.get(from);
    if (delta == null) {
      TreeMap<String, byte[]> merged = new TreeMap<>();
      for (Version v : log) {
        if (v.number() > from) {
          merged.putAll(v.changes()); // later versions win: a name's latest change
        }
      }
      List<byte[]> line = new ArrayList<>(merged.size() + 1);
      line.add(DeltaLine.mark(epoch, from, version, hash));
      line.addAll(merged.values());
      delta = lineOf(line);
      deltas.put(from, delta);
    }
    return delta;
  }

  /** The whole directory at the current version. */
  public ByteBuf fullLine() {
    if (full == null) {
      List<byte[]> line = new ArrayList<>(members.size() + 1);
      line.add(DeltaLine.mark(epoch, 0, version, hash));
      members.values().forEach(m -> line.add(m.bytes()));
      full = lineOf(line);
    }
    return full;
  }

  /** Gives the lines' memory back; the log is not used after. */
  public void close() {
    releaseLines();
  }

  private void releaseLines() {
    if (full != null) {
      full.release();
      full = null;
    }
    deltas.values().forEach(ByteBuf::release);
    deltas.clear();
  }

  private static ByteBuf lineOf(List<byte[]> members) {
    int size = SeedCodec.directoryLineSize(members);
    ByteBuf line = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
    SeedCodec.writeDirectoryLine(line, members);
    return line;
  }
}
