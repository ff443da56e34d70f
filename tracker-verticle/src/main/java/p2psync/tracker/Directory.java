package p2psync.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;
import p2psync.common.delta.CompactMember;
import p2psync.common.v2.V2Codec;
import p2psync.common.v2.V2Entry;
import p2psync.tracker.versions.SharedClaims;
import p2psync.tracker.versions.SourcePick;
import p2psync.tracker.versions.VersionTable;

/**
 * The tracker's global view: for every name, the live peer holding its newest version.
 *
 * <p>Newest mtime wins. Equal mtimes go to the lowest address, comparing the ip as a string and
 * then the port, so any tracker that has seen the same peers names the same winner whatever order
 * they arrived in. Every holder of a name is kept, so a leaving winner is replaced by the next best
 * at once.
 *
 * <p>Built for join storms (thousands of peers listing the same thousand names at once), so that an
 * Init costs O(names it lists), a departure O(names the peer held), and a reply nothing but the
 * shared line:
 *
 * <ul>
 *   <li>each name is one {@link Name}, shared by every peer that lists it;
 *   <li>the claims of a name that agree on its first claim's mtime and version are a {@link
 *       SharedClaims}: a bit per peer slot, not a record per claim, so a converged swarm (5,000
 *       peers x 10,000 names at the same versions: 50 million claims) costs bitmaps of a few MB.
 *       The heap below holds the other claims (a storm's random mtimes, a peer that moved on), and
 *       the winner is the better of the two;
 *   <li>a name's holders are an indexed binary heap, best first, with a tail of newcomers not yet
 *       sorted into it: a join costs one comparison with the tail's best, and the tail is sorted in
 *       (O(log holders) a claim, once) only when its best leaves or falls back. A storm of joins
 *       sorts nothing; removals and changes in the heap cost O(log holders). Each peer remembers
 *       where its claims sit;
 *   <li>claims live in primitive arrays that refer to peers and names by index: no object per
 *       claim, and nothing in them for the garbage collector to trace or to track across
 *       generations (5 million claims of a storm would otherwise be 5 million objects, or
 *       references from old arrays to young peers);
 *   <li>each name caches its encoded member of the line; a change re-encodes that member only, and
 *       the line is the members joined, built once per change, off the heap, and written as it is
 *       to every peer (no copy per reply: a storm sends thousands of them a second);
 *   <li>each name keeps its v2 pick (the version its v2 member names, the holder named, the {@code
 *       maxSources} holders listed: a {@link SourcePick}) up to date claim by claim, so a v2 member
 *       is re-encoded, and put in a delta, only when it really changed: a join of the named version
 *       changes it only if the newcomer is listed or named (odds about maxSources / holders), and a
 *       departure only if the holder was. Before, every claim re-picked from every holder: a join
 *       storm of 5,000 peers x 10,000 names cost O(names x holders) per publish. Changes the pick
 *       cannot follow (a newer mtime, a better version, a listed holder leaving while unlisted ones
 *       wait) drop it, and it is made again from every holder when asked.
 * </ul>
 *
 * <p>Not thread-safe: owned by the tracker verticle's event loop.
 */
final class Directory {

  /** A peer: its file-serving address and where each of its claims sits. */
  private static final class Holder {
    final long id;
    final int index;
    String ip;
    int port;

    /**
     * Claim i: name {@code names[i]} (an index), held at slot {@code slots[i]} of that name's heap.
     */
    int[] names = NO_INTS;

    int[] slots = NO_INTS;

    /**
     * v2's part of claim i, null until the peer lists a hashed file: 0 for a seed claim (no hash),
     * else one more than the id of its version (size, tombstone or not, SHA-256) in {@link
     * #versions}, which every claim of that version shares.
     */
    int[] versions;

    int count;

    /** The names (by index) whose claim of it is among their {@link Name#shared} claims. */
    BitSet shared = new BitSet();

    /** Its half of {@link #spread}, as of its address. */
    long spreadPart;

    Holder(long id, int index, String ip, int port) {
      this.id = id;
      this.index = index;
      moveTo(ip, port);
    }

    void moveTo(String ip, int port) {
      this.ip = ip;
      this.port = port;
      this.spreadPart = ip.hashCode() * 31L + port;
    }

    /** Ordering of equal mtimes: lowest ip (as a string), then port; the id only makes it total. */
    int compareAddress(Holder other) {
      if (this == other) {
        return 0;
      }
      int c = ip.equals(other.ip) ? 0 : ip.compareTo(other.ip);
      if (c == 0) {
        c = Integer.compare(port, other.port);
      }
      return c != 0 ? c : Long.compare(id, other.id);
    }

    boolean sameAddress(Holder other) {
      return port == other.port && ip.equals(other.ip);
    }
  }

  private static final int[] NO_INTS = new int[0];

  /**
   * One name, once: its holders, and its member of the line. Slots {@code [0, heapSize)} are a
   * heap, best at 0; slots {@code [heapSize, size)} the unsorted tail, best at {@code tailBest}
   * (-1: empty).
   */
  private static final class Name {
    final String text;
    final int index;

    /**
     * Slot j: {@code data[2j]} the mtime, {@code data[2j+1]} the holder's index << 32 | its
     * claim's.
     */
    long[] data = new long[4];

    int size;
    int heapSize;
    int tailBest = -1;
    byte[] member;

    /**
     * The claims that agree on one mtime and version (the first claim's), as a set of holders
     * instead of heap slots; null when there are none. The heap holds the rest.
     */
    SharedClaims shared;

    /**
     * The version its v2 member names and the holders it lists, kept up to date by joins and by
     * most departures (see {@link #v2Claimed}); null: to be picked again from every holder (or no
     * holder of the newest mtime hashed).
     */
    SourcePick pick;

    /** Its member of the v2 line, and of versioned lines; null: to be encoded from the pick. */
    byte[] memberV2;

    byte[] memberCompact;

    /** Listed in {@link #v2Dirty}: its v2 member may have changed since the last drain. */
    boolean v2Dirty;

    /** Scratch for {@link #replaceFiles}: which call last listed this name, with which mtime. */
    long listedBy = -1;

    long listedMtime;
    FileEntry listedFile;
    boolean listedClaimed;

    /** Its half of {@link #spread}. */
    final long spreadSeed;

    Name(String text, int index) {
      this.text = text;
      this.index = index;
      this.spreadSeed = text.hashCode() * 0x9E3779B97F4A7C15L;
    }

    /** Every claim of the name: in its heap and shared. */
    int total() {
      return size + (shared == null ? 0 : shared.count());
    }

    long mtime(int slot) {
      return data[2 * slot];
    }

    int holder(int slot) {
      return (int) (data[2 * slot + 1] >>> 32);
    }

    int claim(int slot) {
      return (int) data[2 * slot + 1];
    }
  }

  private final Map<Long, Holder> peers = new HashMap<>();

  /** Every distinct version the claims name, once; a hashed claim holds its id. */
  private final VersionTable versions = new VersionTable();

  private Holder[] holders = new Holder[16];

  /** Holder indexes by address: the order of ties. */
  private final SharedClaims.AddressOrder addressOrder =
      (a, b) -> holders[a].compareAddress(holders[b]);

  private final ArrayDeque<Integer> freeHolders = new ArrayDeque<>();
  private int holderCount;
  private final Map<String, Name> names = new HashMap<>();
  private Name[] nameTable = new Name[16];
  private final ArrayDeque<Integer> freeNames = new ArrayDeque<>();
  private int nameTableCount;
  // The line lists names in this order, so it does not depend on arrival order either.
  private final TreeMap<String, Name> ordered = new TreeMap<>();

  /** The line as sent, direct memory this directory holds one reference to; null: to be built. */
  private ByteBuf wireLine;

  /** Holders listed per name on the v2 line. */
  private int maxSources = Integer.MAX_VALUE;

  /** The v2 line, as {@link #wireLine}; null: to be built. */
  private ByteBuf wireLineV2;

  /** Whether the v2 line is out of date, since when it was built, and how soon it is rebuilt. */
  private boolean v2Stale;

  private long v2BuiltNanos;
  private long v2IntervalNanos;

  /**
   * v2 deltas: names whose v2 member may have changed, and names that left, since the last {@link
   * #drainV2Changes}; null until {@link #trackV2Changes}, so a directory no delta peer reads keeps
   * no list.
   */
  private List<Name> v2Dirty;

  private List<String> v2Gone;
  private long maxClockSkewSeconds = 60;
  private java.util.function.LongSupplier nowSeconds = () -> System.currentTimeMillis() / 1000;

  /** Claims in the names' heaps, and in their shared claims. */
  private long heapClaims;

  private long sharedClaims;

  private Buffer encoded;
  private long version;
  private long listing;
  private long encodes;

  void setV2LineInterval(Duration interval) {
    v2IntervalNanos = interval.toNanos();
  }

  /** Tombstones dated more than this after {@link #setClock the clock} are refused. */
  void setMaxClockSkew(Duration skew) {
    maxClockSkewSeconds = skew.toSeconds();
  }

  /** The clock tombstones are checked against, in seconds since the epoch. */
  void setClock(java.util.function.LongSupplier nowSeconds) {
    this.nowSeconds = nowSeconds;
  }

  void setMaxSources(int maxSources) {
    this.maxSources = maxSources;
    ordered.values().forEach(this::v2Changed);
    v2Stale = true;
  }

  /** Starts tracking which v2 members change; every current member counts as changed. */
  void trackV2Changes() {
    if (v2Dirty == null) {
      v2Dirty = new ArrayList<>();
      v2Gone = new ArrayList<>();
      ordered.values().forEach(this::v2Changed);
    }
  }

  boolean hasV2Changes() {
    return v2Dirty != null && (!v2Dirty.isEmpty() || !v2Gone.isEmpty());
  }

  /**
   * The members of versioned lines that may have changed since the last call, each encoded once in
   * the compact form ({@code null}: the name left); O(changed names), whatever the directory's
   * size.
   */
  Map<String, byte[]> drainV2Changes() {
    if (v2Dirty == null) {
      return Map.of();
    }
    Map<String, byte[]> changes = new HashMap<>(2 * (v2Dirty.size() + v2Gone.size()));
    for (String gone : v2Gone) {
      changes.put(gone, null);
    }
    for (Name name : v2Dirty) {
      name.v2Dirty = false;
      if (nameTable[name.index] == name) { // still in the directory (else it is in v2Gone)
        changes.put(name.text, compactMember(name));
      }
    }
    v2Dirty.clear();
    v2Gone.clear();
    return changes;
  }

  /** Records or updates the file-serving address of a peer; a moved peer's claims move with it. */
  void register(long peerId, String ip, int port) {
    Holder holder = peers.get(peerId);
    if (holder == null) {
      int index = freeHolders.isEmpty() ? holderCount++ : freeHolders.pop();
      if (index == holders.length) {
        holders = Arrays.copyOf(holders, index * 2);
      }
      holder = new Holder(peerId, index, ip, port);
      holders[index] = holder;
      peers.put(peerId, holder);
    } else if (!holder.ip.equals(ip) || holder.port != port) {
      // Its rank among the holders of every name it lists changes: take the claims out and put them
      // back under the new address.
      List<FileEntry> files = filesOf(holder);
      withdraw(holder);
      holder.moveTo(ip, port);
      replaceFiles(peerId, files);
    }
  }

  /**
   * Replaces the file list of a registered peer; names it lists again unchanged stay as they are.
   */
  void replaceFiles(long peerId, List<FileEntry> files) {
    Holder holder = Objects.requireNonNull(peers.get(peerId), "unregistered peer");
    files = withoutBadTombstones(files);
    long call = ++listing;
    List<Name> listed = markListed(files, call);
    // Existing claims of its own: kept, changed or withdrawn. Backwards, as a withdrawal moves the
    // last claim (and a changed claim that cannot join its name's shared claims comes last).
    for (int i = holder.count - 1; i >= 0; i--) {
      relist(holder, nameTable[holder.names[i]], i, call);
    }
    // Shared claims: the same. The word is read before its bits change, so each is seen once.
    long[] words = holder.shared.toLongArray();
    for (int w = 0; w < words.length; w++) {
      for (long word = words[w]; word != 0; word &= word - 1) {
        relist(holder, nameTable[64 * w + Long.numberOfTrailingZeros(word)], SHARED, call);
      }
    }
    claimTheRest(holder, listed);
  }

  /**
   * Applies an incremental advertisement (v2): the peer's list is its last one less {@code
   * removed}, with each entry of {@code changed} in place of its name's. O(names changed x their
   * holders), whatever the size of the list: a peer of 10,000 files that changed one no longer
   * costs a decode and a pass of 10,000 entries. The same claims as {@link #replaceFiles} with the
   * whole new list.
   */
  void changeFiles(long peerId, SeedCodec.ListChanges changes) {
    Holder holder = Objects.requireNonNull(peers.get(peerId), "unregistered peer");
    List<FileEntry> files = withoutBadTombstones(changes.changed());
    long call = ++listing;
    List<Name> listed = markListed(files, call);
    // Every name the message touches, listed or not (a refused tombstone withdraws its name's
    // claim, as leaving it out of a whole list would): its claim of this holder, if any, relisted.
    Set<String> touched = new HashSet<>(changes.removed());
    changes.changed().forEach(file -> touched.add(file.name()));
    for (String text : touched) {
      Name name = names.get(text);
      if (name == null) {
        continue;
      }
      if (holder.shared.get(name.index)) {
        relist(holder, name, SHARED, call);
        continue;
      }
      for (int slot = 0; slot < name.size; slot++) {
        if (name.holder(slot) == holder.index) {
          relist(holder, name, name.claim(slot), call);
          break;
        }
      }
    }
    claimTheRest(holder, listed);
  }

  /**
   * Marks each listed name with its newest listed mtime (a name listed twice keeps the newer); the
   * names, once each.
   */
  private List<Name> markListed(List<FileEntry> files, long call) {
    List<Name> listed = new ArrayList<>(files.size());
    for (FileEntry file : files) {
      Name name = names.computeIfAbsent(file.name(), this::newName);
      if (name.listedBy != call) {
        name.listedBy = call;
        name.listedMtime = file.mtime();
        name.listedFile = file;
        name.listedClaimed = false;
        listed.add(name);
      } else if (file.mtime() > name.listedMtime) {
        name.listedMtime = file.mtime();
        name.listedFile = file;
      }
    }
    return listed;
  }

  /** Claims the listed names the holder had no claim of, and trims its arrays. */
  private void claimTheRest(Holder holder, List<Name> listed) {
    for (Name name : listed) {
      if (!name.listedClaimed) {
        noteTop(name);
        claim(holder, name, name.listedMtime, name.listedFile);
        topMayHaveChanged(name);
      }
      name.listedFile = null;
    }
    if (holder.count < holder.names.length / 4) {
      holder.names = Arrays.copyOf(holder.names, holder.count);
      holder.slots = Arrays.copyOf(holder.slots, holder.count);
      if (holder.versions != null) {
        holder.versions = Arrays.copyOf(holder.versions, holder.count);
      }
    }
  }

  /** Where a claim is: {@code SHARED}, else its index among its holder's claims in heaps. */
  private static final int SHARED = -1;

  /**
   * One existing claim against listing {@code call} (0: none, the holder leaves): kept when listed
   * unchanged, taken out and put back when listed otherwise, withdrawn when not listed.
   */
  private void relist(Holder holder, Name name, int where, long call) {
    long mtime = where == SHARED ? name.shared.mtime() : name.mtime(holder.slots[where]);
    int key = where == SHARED ? name.shared.version() : keyOf(holder, where);
    boolean listed = name.listedBy == call;
    if (listed) {
      name.listedClaimed = true;
      if (mtime == name.listedMtime && isVersion(key, name.listedFile)) {
        return;
      }
    }
    noteTop(name);
    if (where == SHARED) {
      unshare(holder, name);
    } else {
      unclaim(holder, where);
    }
    if (listed) {
      claim(holder, name, name.listedMtime, name.listedFile);
    }
    topMayHaveChanged(name);
  }

  /**
   * The files less the tombstones that can do nothing but harm: dated in the future (beyond the
   * clock skew allowed), or of a version no peer ever advertised for that name here (a peer cannot
   * delete what it never held). Such a tombstone is no claim at all, logged by nobody: a hostile
   * peer learns nothing.
   */
  private List<FileEntry> withoutBadTombstones(List<FileEntry> files) {
    if (files.stream().noneMatch(FileEntry::deleted)) {
      return files;
    }
    long latest = nowSeconds.getAsLong() + maxClockSkewSeconds;
    List<FileEntry> kept = new ArrayList<>(files.size());
    for (FileEntry file : files) {
      if (!file.deleted()) {
        kept.add(file);
      } else if (file.mtime() <= latest && isKnownVersion(file)) {
        kept.add(file);
      }
    }
    return kept;
  }

  /** Whether some claim of the file's name, live or deleted, has its size and hash. */
  private boolean isKnownVersion(FileEntry file) {
    Name name = names.get(file.name());
    if (name == null) {
      return false;
    }
    int live = versions.find(file.size() + 1, file.sha256()) + 1;
    int deleted = versions.find(-(file.size() + 1), file.sha256()) + 1;
    if (name.shared != null
        && name.shared.version() != 0
        && (name.shared.version() == live || name.shared.version() == deleted)) {
      return true;
    }
    for (int slot = 0; slot < name.size; slot++) {
      int key = keyOf(holders[name.holder(slot)], name.claim(slot));
      if (key != 0 && (key == live || key == deleted)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A claim's version key: 0 for a seed claim (no hash), else one more than the id of its version
   * (size, tombstone or not, SHA-256) in {@link #versions}, which every claim of that version
   * shares.
   */
  private static int keyOf(Holder holder, int i) {
    return holder.versions == null ? 0 : holder.versions[i];
  }

  /** Whether {@code key} is the version {@code file} names (0: no hash). */
  private boolean isVersion(int key, FileEntry file) {
    if (!file.hasHash()) {
      return key == 0;
    }
    return key != 0 && versions.find(sized(file), file.sha256()) == key - 1;
  }

  private static long sized(FileEntry file) {
    return file.deleted() ? -(file.size() + 1) : file.size() + 1;
  }

  /** One more claim counted on the file's version; its key. */
  private int acquire(FileEntry file) {
    return file.hasHash() ? versions.acquire(sized(file), file.sha256()) + 1 : 0;
  }

  private void release(int key) {
    if (key != 0) {
      versions.release(key - 1);
    }
  }

  /** Whether a claim of this version is a tombstone. */
  private boolean isDeleted(int key) {
    return key != 0 && versions.sized(key - 1) < 0;
  }

  /** The size of a hashed version. */
  private long size(int key) {
    return Math.abs(versions.sized(key - 1)) - 1;
  }

  /** The SHA-256 of a hashed version. */
  private String sha256(int key) {
    return versions.sha256(key - 1);
  }

  /** Takes every claim of a peer out of the directory. */
  void remove(long peerId) {
    Holder holder = peers.remove(peerId);
    if (holder != null) {
      withdraw(holder);
      holders[holder.index] = null;
      freeHolders.push(holder.index);
    }
  }

  /**
   * What the directory holds of a peer (its address and claims), or null if it is not registered.
   */
  PeerRecord record(long peerId) {
    Holder holder = peers.get(peerId);
    return holder == null ? null : new PeerRecord(holder.ip, holder.port, filesOf(holder));
  }

  boolean contains(long peerId) {
    return peers.containsKey(peerId);
  }

  int peerCount() {
    return peers.size();
  }

  int nameCount() {
    return ordered.size();
  }

  /** Distinct versions the hashed claims name: each kept once, however many claims share it. */
  int versionRecords() {
    return versions.size();
  }

  /** Claims held one by one, in the names' heaps (about 30 bytes each). */
  long heapClaims() {
    return heapClaims;
  }

  /** Claims held as a bit in a name's shared claims. */
  long sharedClaims() {
    return sharedClaims;
  }

  /** Increases whenever the encoded directory changes. */
  long version() {
    return version;
  }

  /** How many times the line was built (once per change that someone asked the line after). */
  long encodes() {
    return encodes;
  }

  /** Every peer: id, address and the files it advertised, for a status page. O(claims). */
  List<TrackerStatus.Holding> holdings() {
    List<TrackerStatus.Holding> all = new ArrayList<>(peers.size());
    for (Holder holder : peers.values()) {
      all.add(new TrackerStatus.Holding(holder.id, holder.ip, holder.port, filesOf(holder)));
    }
    return all;
  }

  /** Every name in line order with its winner and how many peers hold it, for a status page. */
  List<TrackerStatus.NameStatus> nameStatuses() {
    List<TrackerStatus.NameStatus> all = new ArrayList<>(ordered.size());
    for (Name name : ordered.values()) {
      Holder best = holders[bestHolder(name)];
      all.add(
          new TrackerStatus.NameStatus(
              name.text, best.ip + ":" + best.port, bestMtime(name), name.total()));
    }
    return all;
  }

  /** The current winner of a name, or null. */
  DirectoryEntry winner(String text) {
    Name name = names.get(text);
    if (name == null || name.total() == 0) {
      return null;
    }
    Holder best = holders[bestHolder(name)];
    return new DirectoryEntry(best.ip, best.port, bestMtime(name));
  }

  /**
   * The directory line, {@code \n} included, as seed peers expect it; built once per change. The
   * directory keeps its own reference and releases it at the next change: a writer holds one of its
   * own for as long as its write runs (see TrackerConnection).
   */
  ByteBuf wireLine() {
    if (wireLine == null) {
      List<byte[]> members = new ArrayList<>(ordered.size());
      for (Name name : ordered.values()) {
        if (!isDeleted(bestKey(name))) {
          // a deleted name leaves the seed line: seed peers keep their copies (they cannot
          // delete), and no new one is handed out
          members.add(seedMember(name));
        }
      }
      encodes++;
      wireLine = lineOf(members);
    }
    return wireLine;
  }

  /**
   * The v2 line, {@code \n} included, for connections that said {@code "v": 2}: each name's seed
   * member with the winning version's size, hash and holders added (docs/protocol-v2.md). Built
   * lazily, only when a v2 peer asks, so a swarm of seed peers never pays for it; owned as {@link
   * #wireLine()} is. Building it visits every claim of every name that changed since.
   */
  ByteBuf wireLineV2() {
    return wireLineV2(System.nanoTime());
  }

  /**
   * As {@link #wireLineV2()}, but a changed line is rebuilt only once {@link #setV2LineInterval}
   * has passed since the last build (a join storm would otherwise rebuild it for every reply).
   */
  ByteBuf wireLineV2(long nowNanos) {
    if (wireLineV2 != null && v2Stale && nowNanos - v2BuiltNanos >= v2IntervalNanos) {
      wireLineV2.release();
      wireLineV2 = null;
    }
    if (wireLineV2 == null) {
      v2Stale = false;
      v2BuiltNanos = nowNanos;
      List<byte[]> members = new ArrayList<>(ordered.size() + 1);
      members.add(
          V2_MARK); // first, as "" sorts before every name: the peer's go-ahead for v2 fields
      for (Name name : ordered.values()) {
        members.add(v2Member(name));
      }
      wireLineV2 = lineOf(members);
    }
    return wireLineV2;
  }

  private static final byte[] V2_MARK = V2Codec.lineMark();

  private static ByteBuf lineOf(List<byte[]> members) {
    int size = SeedCodec.directoryLineSize(members);
    ByteBuf line = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
    SeedCodec.writeDirectoryLine(line, members);
    return line;
  }

  private byte[] seedMember(Name name) {
    if (name.member == null) {
      Holder best = holders[bestHolder(name)];
      name.member = SeedCodec.encodeDirectoryMember(name.text, best.ip, best.port, bestMtime(name));
    }
    return name.member;
  }

  /**
   * The v2 member: among the holders of the newest mtime, the lowest address that advertised a hash
   * names the version (its size and hash), and every holder of that same version (mtime, size and
   * hash) is a source. So a seed peer that wins the seed line does not hide the verified holders of
   * the same mtime from v2 peers. When no holder of the newest mtime advertised a hash, the member
   * is the seed one.
   */
  private byte[] encodeMemberV2(Name name) {
    return encodeMember(name, V2Codec::encodeDirectoryMember, this::seedMember);
  }

  /** The name's member of versioned lines as kept (null: no such name); for tests. */
  byte[] compactMember(String text) {
    Name name = names.get(text);
    return name == null ? null : compactMember(name);
  }

  /**
   * The name's members of versioned lines and of the v2 line picked from scratch, from every
   * holder, leaving what is kept as it was; for tests that check the kept picks against them.
   */
  List<byte[]> membersFromScratch(String text) {
    Name name = names.get(text);
    SourcePick pick = name.pick;
    byte[] compact = name.memberCompact;
    byte[] v2 = name.memberV2;
    name.pick = null;
    byte[] compactNow = encodeMemberCompact(name);
    name.pick = null;
    byte[] v2Now = encodeMemberV2(name);
    name.pick = pick;
    name.memberCompact = compact;
    name.memberV2 = v2;
    return List.of(compactNow, v2Now);
  }

  /** The name's member of the v2 line as kept (null: no such name); for tests. */
  byte[] v2Member(String text) {
    Name name = names.get(text);
    return name == null ? null : v2Member(name);
  }

  private byte[] v2Member(Name name) {
    if (name.memberV2 == null) {
      name.memberV2 = encodeMemberV2(name);
    }
    return name.memberV2;
  }

  /** The name's member of versioned lines, encoded once per change. */
  private byte[] compactMember(Name name) {
    if (name.memberCompact == null) {
      name.memberCompact = encodeMemberCompact(name);
    }
    return name.memberCompact;
  }

  /** The same facts as {@link #encodeMemberV2}, in the compact form of versioned lines. */
  private byte[] encodeMemberCompact(Name name) {
    return encodeMember(
        name,
        CompactMember::encode,
        n -> {
          Holder best = holders[bestHolder(n)];
          return CompactMember.encodeSeed(n.text, best.ip, best.port, bestMtime(n));
        });
  }

  /** How one wire form writes the member of a version. */
  private interface VersionMember {
    byte[] encode(
        String name,
        String ip,
        int port,
        long mtime,
        long size,
        String sha256,
        boolean deleted,
        List<V2Entry.Source> sources);
  }

  /** A name's member in one wire form: its version's, or {@code seed}'s when no holder hashed. */
  private byte[] encodeMember(
      Name name, VersionMember version, java.util.function.Function<Name, byte[]> seed) {
    Winner v = winnerV2(name);
    if (v == null) {
      return seed.apply(name);
    }
    return version.encode(
        name.text,
        v.best.ip,
        v.best.port,
        v.mtime,
        size(v.key),
        sha256(v.key),
        isDeleted(v.key),
        v.sources);
  }

  /** The version a v2 member names: its mtime, its named holder, its version key, its sources. */
  private record Winner(long mtime, Holder best, int key, List<V2Entry.Source> sources) {}

  /**
   * The {@link Winner} of a name, from its {@link Name#pick} (picked again from every holder when
   * there is none); null when no holder of the newest mtime advertised a hash.
   */
  private Winner winnerV2(Name name) {
    if (name.pick == null) {
      name.pick = pick(name);
      if (name.pick == null) {
        return null;
      }
    }
    SourcePick pick = name.pick;
    List<Holder> listed = new ArrayList<>(pick.size());
    for (int i = 0; i < pick.size(); i++) {
      listed.add(holders[pick.listed(i)]);
    }
    listed.sort(Holder::compareAddress);
    List<V2Entry.Source> sources = new ArrayList<>(listed.size());
    Holder previous = null;
    for (Holder holder : listed) {
      if (previous == null || !holder.sameAddress(previous)) {
        sources.add(new V2Entry.Source(holder.ip, holder.port));
      }
      previous = holder;
    }
    return new Winner(pick.mtime(), holders[pick.named()], pick.version(), sources);
  }

  /**
   * Picks a name's v2 version from every holder: among the claims of the newest mtime, the best
   * hashed one ({@link #betterVersion}) names it; of the holders of that version the {@code
   * maxSources} of lowest {@link #spread} (then address) are listed, a subset that differs from
   * name to name (so the load of many files spreads over all holders) but depends on nothing else,
   * so every tracker of a cluster picks the same one. O(holders): made once, then kept up to date.
   */
  private SourcePick pick(Name name) {
    long mtime = bestMtime(name);
    Holder best = null;
    int bestKey = 0;
    SharedClaims shared = name.shared;
    if (shared != null && shared.mtime() == mtime && shared.version() != 0) {
      best = holders[shared.first(addressOrder)];
      bestKey = shared.version();
    }
    for (int slot = 0; slot < name.size; slot++) {
      Holder holder = holders[name.holder(slot)];
      int key = keyOf(holder, name.claim(slot));
      if (name.mtime(slot) == mtime
          && key != 0
          && (best == null || betterVersion(holder, key, best, bestKey))) {
        best = holder;
        bestKey = key;
      }
    }
    if (best == null) {
      return null;
    }
    SourcePick pick = new SourcePick(mtime, bestKey, best.index, maxSources);
    if (shared != null && shared.matches(mtime, bestKey)) {
      shared.forEach(h -> pick.add(h, spread(name, holders[h]), addressOrder));
    }
    for (int slot = 0; slot < name.size; slot++) {
      Holder holder = holders[name.holder(slot)];
      if (name.mtime(slot) == mtime && keyOf(holder, name.claim(slot)) == bestKey) {
        pick.add(holder.index, spread(name, holder), addressOrder);
      }
    }
    return pick;
  }

  /**
   * Of two hashed claims with the same mtime: a file before a tombstone (an edit wins over a
   * deletion of the same second), then the greater SHA-256 (as unsigned words, which is the order
   * of its hex text), then the lower address. Every peer orders versions the same way (mtime, then
   * hash), so a conflict of equal mtimes is decided the same everywhere.
   */
  private boolean betterVersion(Holder a, int keyA, Holder b, int keyB) {
    boolean deletedA = isDeleted(keyA);
    if (deletedA != isDeleted(keyB)) {
      return !deletedA;
    }
    for (int w = 0; w < 4; w++) {
      int c = Long.compareUnsigned(versions.word(keyA - 1, w), versions.word(keyB - 1, w));
      if (c != 0) {
        return c > 0;
      }
    }
    return a.compareAddress(b) < 0;
  }

  /**
   * The directory line as a heap buffer of its own, for readers other than the wire; once per
   * change.
   */
  Buffer encoded() {
    if (encoded == null) {
      ByteBuf line = wireLine();
      encoded =
          Buffer.buffer(
              ByteBufUtil.getBytes(line, line.readerIndex(), line.readableBytes(), false));
    }
    return encoded;
  }

  /** Gives the lines' memory back; the directory is not used after. */
  void close() {
    changed();
    releaseV2Line();
  }

  private Name newName(String text) {
    int index = freeNames.isEmpty() ? nameTableCount++ : freeNames.pop();
    if (index == nameTable.length) {
      nameTable = Arrays.copyOf(nameTable, index * 2);
    }
    Name name = new Name(text, index);
    nameTable[index] = name;
    return name;
  }

  private List<FileEntry> filesOf(Holder holder) {
    List<FileEntry> files = new ArrayList<>(holder.count + holder.shared.cardinality());
    for (int i = 0; i < holder.count; i++) {
      Name name = nameTable[holder.names[i]];
      files.add(fileOf(name, name.mtime(holder.slots[i]), keyOf(holder, i)));
    }
    for (int n = holder.shared.nextSetBit(0); n >= 0; n = holder.shared.nextSetBit(n + 1)) {
      Name name = nameTable[n];
      files.add(fileOf(name, name.shared.mtime(), name.shared.version()));
    }
    return files;
  }

  private FileEntry fileOf(Name name, long mtime, int key) {
    return key != 0
        ? new FileEntry(name.text, mtime, size(key), sha256(key), isDeleted(key))
        : new FileEntry(name.text, mtime);
  }

  private void withdraw(Holder holder) {
    for (int i = holder.count - 1; i >= 0; i--) {
      relist(holder, nameTable[holder.names[i]], i, 0);
    }
    for (int n = holder.shared.nextSetBit(0); n >= 0; n = holder.shared.nextSetBit(n + 1)) {
      relist(holder, nameTable[n], SHARED, 0);
    }
    holder.names = NO_INTS;
    holder.slots = NO_INTS;
    holder.versions = null;
    holder.shared = new BitSet();
  }

  // ---- one claim ------------------------------------------------------------------------------
  //
  // A change of claims is bracketed by noteTop(name) and topMayHaveChanged(name): the seed line
  // changes only when the name's winner (its address, its mtime, whether it is a tombstone) does,
  // and a name is dropped only once the change is over (a changed claim is taken out before it is
  // put back).

  /**
   * Adds a claim of a name the holder does not claim: into the name's shared claims when it names
   * their mtime and version (or the name has none: it starts them), else into the name's heap.
   */
  private void claim(Holder holder, Name name, long mtime, FileEntry file) {
    if (name.total() == 0) {
      ordered.put(name.text, name);
    }
    int key = acquire(file);
    if (name.shared == null) {
      name.shared = new SharedClaims(mtime, key);
    }
    if (name.shared.matches(mtime, key)) {
      name.shared.add(holder.index, addressOrder);
      holder.shared.set(name.index);
      sharedClaims++;
    } else {
      claimInHeap(holder, name, mtime, key);
    }
    v2Claimed(name, holder, mtime, key);
  }

  private void claimInHeap(Holder holder, Name name, long mtime, int key) {
    if (2 * name.size == name.data.length) {
      name.data = Arrays.copyOf(name.data, name.data.length * 2);
    }
    ensureCapacity(holder, holder.count + 1);
    if (key != 0 && holder.versions == null) {
      holder.versions = new int[holder.names.length];
    }
    heapClaims++;
    int index = holder.count++;
    int slot = name.size++;
    holder.names[index] = name.index;
    holder.slots[index] = slot;
    if (holder.versions != null) {
      holder.versions[index] = key;
    }
    name.data[2 * slot] = mtime;
    name.data[2 * slot + 1] = (long) holder.index << 32 | index;
    if (name.tailBest < 0 || better(name, slot, name.tailBest)) {
      name.tailBest = slot;
    }
  }

  /** Removes claim {@code index} (in the heap) of a holder; its last claim takes that index. */
  private void unclaim(Holder holder, int index) {
    Name name = nameTable[holder.names[index]];
    long mtime = name.mtime(holder.slots[index]);
    int key = keyOf(holder, index);
    removeSlot(name, holder.slots[index]);
    heapClaims--;
    if (holder.versions != null) {
      release(holder.versions[index]);
      holder.versions[index] = 0;
    }
    int last = --holder.count;
    if (index != last) {
      holder.names[index] = holder.names[last];
      holder.slots[index] = holder.slots[last];
      if (holder.versions != null) {
        holder.versions[index] = holder.versions[last];
        holder.versions[last] = 0;
      }
      Name moved = nameTable[holder.names[index]];
      int slot = holder.slots[index];
      moved.data[2 * slot + 1] = (long) holder.index << 32 | index;
    }
    v2Unclaimed(name, holder, mtime, key);
  }

  /** Removes the holder's claim of a name from the name's shared claims. */
  private void unshare(Holder holder, Name name) {
    long mtime = name.shared.mtime();
    int key = name.shared.version();
    name.shared.remove(holder.index);
    holder.shared.clear(name.index);
    sharedClaims--;
    release(name.shared.version());
    if (name.shared.count() == 0) {
      name.shared = null; // the next claim starts them again, with its own version
    }
    v2Unclaimed(name, holder, mtime, key);
  }

  /** The winner of the name being changed, as it was: its holder (-1: none), mtime, tombstone. */
  private int topBefore = -1;

  private long topMtimeBefore;
  private boolean topDeletedBefore;

  private void noteTop(Name name) {
    if (name.total() == 0) {
      topBefore = -1;
      return;
    }
    topBefore = bestHolder(name);
    topMtimeBefore = bestMtime(name);
    topDeletedBefore = isDeleted(bestKey(name));
  }

  private void topMayHaveChanged(Name name) {
    if (name.total() == 0) {
      names.remove(name.text);
      ordered.remove(name.text);
      nameTable[name.index] = null;
      freeNames.push(name.index);
      if (v2Gone != null) {
        v2Gone.add(name.text);
      }
      changed();
      return;
    }
    if (topBefore < 0
        || bestMtime(name) != topMtimeBefore
        || !holders[bestHolder(name)].sameAddress(holders[topBefore])
        || isDeleted(bestKey(name)) != topDeletedBefore) {
      name.member = null;
      changed();
    }
  }

  /** Whether the name's winner is in its shared claims (else at the top of its heap). */
  private boolean sharedWins(Name name) {
    if (name.shared == null) {
      return false;
    }
    if (name.size == 0) {
      return true;
    }
    int top = top(name);
    long mtime = name.mtime(top);
    if (mtime != name.shared.mtime()) {
      return name.shared.mtime() > mtime;
    }
    return holders[name.shared.first(addressOrder)].compareAddress(holders[name.holder(top)]) < 0;
  }

  /** The index of the winner's holder; the name must have a claim. */
  private int bestHolder(Name name) {
    return sharedWins(name) ? name.shared.first(addressOrder) : name.holder(top(name));
  }

  private long bestMtime(Name name) {
    return sharedWins(name) ? name.shared.mtime() : name.mtime(top(name));
  }

  /** The version key of the winner's claim. */
  private int bestKey(Name name) {
    if (sharedWins(name)) {
      return name.shared.version();
    }
    int top = top(name);
    return keyOf(holders[name.holder(top)], name.claim(top));
  }

  private static void ensureCapacity(Holder holder, int capacity) {
    if (capacity > holder.names.length) {
      capacity = Math.max(capacity, 2 * holder.names.length); // claims come one at a time
      holder.names = Arrays.copyOf(holder.names, capacity);
      holder.slots = Arrays.copyOf(holder.slots, capacity);
      if (holder.versions != null) {
        holder.versions = Arrays.copyOf(holder.versions, capacity);
      }
    }
  }

  // ---- the heap of a name's holders -----------------------------------------------------------

  /** Is the claim at slot a better than the one at b: newer, or as new from a lower address. */
  private boolean better(Name name, int a, int b) {
    long ma = name.mtime(a);
    long mb = name.mtime(b);
    if (ma != mb) {
      return ma > mb;
    }
    return holders[name.holder(a)].compareAddress(holders[name.holder(b)]) < 0;
  }

  /** The best slot of a name that has any: the heap's top or the tail's best. */
  private int top(Name name) {
    if (name.heapSize == 0) {
      return name.tailBest;
    }
    return name.tailBest < 0 || better(name, 0, name.tailBest) ? 0 : name.tailBest;
  }

  /** Sorts the tail into the heap: each claim once, O(log holders) at worst, O(1) on average. */
  private void sortInTail(Name name) {
    while (name.heapSize < name.size) {
      siftUp(name, name.heapSize++);
    }
    name.tailBest = -1;
  }

  private void removeSlot(Name name, int slot) {
    int last = name.size - 1;
    if (slot >= name.heapSize) {
      // In the tail: the last claim takes its place.
      if (slot != last) {
        move(name, last, slot);
      }
      name.size--;
      if (slot == name.tailBest) {
        sortInTail(name);
      } else if (name.tailBest == last) {
        name.tailBest = slot;
      }
    } else {
      // In the heap: its last claim takes the place, and the tail's last claim takes that one's.
      int heapLast = --name.heapSize;
      if (slot != heapLast) {
        move(name, heapLast, slot);
        siftDown(name, siftUp(name, slot));
      }
      if (last != heapLast) {
        move(name, last, heapLast);
        if (name.tailBest == last) {
          name.tailBest = heapLast;
        }
      }
      name.size--;
    }
    if (name.size > 0 && 2 * name.size < name.data.length / 4) {
      name.data = Arrays.copyOf(name.data, Math.max(4, name.data.length / 2));
    }
  }

  /** Moves slot {@code slot} up while it beats its parent; returns where it ends. */
  private int siftUp(Name name, int slot) {
    while (slot > 0) {
      int parent = (slot - 1) >>> 1;
      if (!better(name, slot, parent)) {
        break;
      }
      swap(name, slot, parent);
      slot = parent;
    }
    return slot;
  }

  private void siftDown(Name name, int slot) {
    while (true) {
      int left = 2 * slot + 1;
      if (left >= name.heapSize) {
        return;
      }
      int child = left + 1 < name.heapSize && better(name, left + 1, left) ? left + 1 : left;
      if (!better(name, child, slot)) {
        return;
      }
      swap(name, slot, child);
      slot = child;
    }
  }

  private void swap(Name name, int a, int b) {
    long[] data = name.data;
    long mtime = data[2 * a];
    long who = data[2 * a + 1];
    data[2 * a] = data[2 * b];
    data[2 * a + 1] = data[2 * b + 1];
    data[2 * b] = mtime;
    data[2 * b + 1] = who;
    holders[name.holder(a)].slots[name.claim(a)] = a;
    holders[name.holder(b)].slots[name.claim(b)] = b;
  }

  /** Puts the claim at slot {@code from} into slot {@code to}, telling its holder. */
  private void move(Name name, int from, int to) {
    name.data[2 * to] = name.data[2 * from];
    name.data[2 * to + 1] = name.data[2 * from + 1];
    holders[name.holder(to)].slots[name.claim(to)] = to;
  }

  /**
   * A stable pseudo-random rank of a holder for a name (String.hashCode is specified): {@code
   * name.hashCode() * 0x9E3779B97F4A7C15L ^ ip.hashCode() * 31L + port}, mixed. Both halves are
   * kept with the name and the holder: a join ranks itself for every name it claims, and reading
   * each name's String there was a cache miss each (13% of the event loop's time in a ramp of 5,000
   * peers x 10,000 names).
   */
  private static long spread(Name name, Holder holder) {
    long x = name.spreadSeed ^ holder.spreadPart;
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }

  /**
   * A claim was added to the name: its v2 member changes only if the claim is of a newer mtime or a
   * better version than the one named, or of that version and listed or named. In a converged swarm
   * a join lists a newcomer for a name with odds of maxSources / holders: a join re-encodes (and
   * puts in the next delta) a few names, not every name it claims.
   */
  private void v2Claimed(Name name, Holder holder, long mtime, int key) {
    SourcePick pick = name.pick;
    if (pick == null || mtime > pick.mtime()) {
      v2Changed(name);
    } else if (mtime < pick.mtime()) {
      return; // older than the version named: listed nowhere
    } else if (key == pick.version()) {
      boolean listed = pick.add(holder.index, spread(name, holder), addressOrder);
      boolean named = holder.compareAddress(holders[pick.named()]) < 0;
      if (named) {
        pick.name(holder.index);
      }
      if (listed || named) {
        v2MemberChanged(name);
      }
    } else if (key != 0 && betterVersion(holder, key, holders[pick.named()], pick.version())) {
      v2Changed(name);
    }
    // else: a seed claim, or a version that loses, of the same mtime: listed nowhere either
  }

  /**
   * A claim was taken from the name: its v2 member changes only if the claim was of the version
   * named and listed or named.
   */
  private void v2Unclaimed(Name name, Holder holder, long mtime, int key) {
    SourcePick pick = name.pick;
    if (pick == null || holder.index == pick.named()) {
      v2Changed(name);
    } else if (mtime == pick.mtime() && key == pick.version()) {
      switch (pick.remove(holder.index, addressOrder)) {
        case UNLISTED -> {}
        case LISTED -> v2MemberChanged(name);
        case UNKNOWN -> v2Changed(name);
      }
    }
    // else: another mtime or version than the one named (which still has its named holder)
  }

  /** A claim of the name changed in a way the pick does not follow: it is made again. */
  private void v2Changed(Name name) {
    name.pick = null;
    v2MemberChanged(name);
  }

  /** The name's v2 member changed (it is encoded again, and is in the next delta). */
  private void v2MemberChanged(Name name) {
    name.memberV2 = null;
    name.memberCompact = null;
    v2Stale = true;
    if (v2Dirty != null && !name.v2Dirty) {
      name.v2Dirty = true;
      v2Dirty.add(name);
    }
  }

  private void releaseV2Line() {
    if (wireLineV2 != null) {
      wireLineV2.release();
      wireLineV2 = null;
    }
  }

  private void changed() {
    v2Stale = true;
    if (wireLine != null) {
      wireLine.release();
      wireLine = null;
    }
    encoded = null;
    version++;
  }
}
