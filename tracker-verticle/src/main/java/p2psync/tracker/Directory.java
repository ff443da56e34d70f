package p2psync.tracker;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;

/**
 * The tracker's global view: for every name, the live peer holding its newest version.
 *
 * <p>Newest mtime wins. Equal mtimes go to the lowest address, comparing the ip as a string and
 * then the port, so any tracker that has seen the same peers names the same winner whatever order
 * they arrived in. Every holder of a name is kept, so a leaving winner is replaced by the next best
 * at once.
 *
 * <p>Built for join storms (thousands of peers listing the same thousand names at once), so that
 * an Init costs O(names it lists), a departure O(names the peer held), and a reply nothing but the
 * shared line:
 *
 * <ul>
 *   <li>each name is one {@link Name}, shared by every peer that lists it;
 *   <li>a name's holders are an indexed binary heap, best first, in plain arrays (no object per
 *       claim): adding a holder that is not the best costs one comparison, any removal or change
 *       O(log holders), and each peer remembers where its claims sit in those heaps;
 *   <li>each name caches its encoded member of the line; a change re-encodes that member only, and
 *       the line is the members joined, built once per change and shared by every reply.
 * </ul>
 *
 * <p>Not thread-safe: owned by the tracker verticle's event loop.
 */
final class Directory {

  /** A peer: its file-serving address and where each of its claims sits. */
  private static final class Holder {
    final long id;
    String ip;
    int port;
    /** Claim i: {@code names[i]}, held at {@code slots[i]} of that name's heap. */
    Name[] names = NO_NAMES;
    int[] slots = NO_SLOTS;
    int count;

    Holder(long id, String ip, int port) {
      this.id = id;
      this.ip = ip;
      this.port = port;
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

  private static final Name[] NO_NAMES = new Name[0];
  private static final int[] NO_SLOTS = new int[0];

  /** One name, once: its holders in a heap (best at 0), and its member of the line. */
  private static final class Name {
    final String text;
    Holder[] holders = new Holder[2];
    long[] mtimes = new long[2];
    /** For heap slot j: where the claim sits in {@code holders[j]}'s arrays. */
    int[] claimIndex = new int[2];
    int size;
    byte[] member;
    /** Scratch for {@link #replaceFiles}: which call last listed this name, with which mtime. */
    long listedBy = -1;
    long listedMtime;
    boolean listedClaimed;

    Name(String text) {
      this.text = text;
    }

    /** Is the claim at heap slot a better than the one at b: newer, or as new from a lower address. */
    boolean better(int a, int b) {
      if (mtimes[a] != mtimes[b]) {
        return mtimes[a] > mtimes[b];
      }
      return holders[a].compareAddress(holders[b]) < 0;
    }
  }

  private final Map<Long, Holder> peers = new HashMap<>();
  private final Map<String, Name> names = new HashMap<>();
  // The line lists names in this order, so it does not depend on arrival order either.
  private final TreeMap<String, Name> ordered = new TreeMap<>();
  private Buffer encoded;
  private long version;
  private long listing;

  /** Records or updates the file-serving address of a peer; a moved peer's claims move with it. */
  void register(long peerId, String ip, int port) {
    Holder holder = peers.get(peerId);
    if (holder == null) {
      peers.put(peerId, new Holder(peerId, ip, port));
    } else if (!holder.ip.equals(ip) || holder.port != port) {
      // Its rank among the holders of every name it lists changes: take the claims out and put them
      // back under the new address.
      List<FileEntry> files = filesOf(holder);
      withdraw(holder);
      holder.ip = ip;
      holder.port = port;
      replaceFiles(peerId, files);
    }
  }

  /** Replaces the file list of a registered peer; names it lists again unchanged stay as they are. */
  void replaceFiles(long peerId, List<FileEntry> files) {
    Holder holder = Objects.requireNonNull(peers.get(peerId), "unregistered peer");
    long call = ++listing;
    // Mark each listed name with its newest listed mtime (a name listed twice keeps the newer).
    List<Name> listed = new ArrayList<>(files.size());
    for (FileEntry file : files) {
      Name name = names.computeIfAbsent(file.name(), Name::new);
      if (name.listedBy != call) {
        name.listedBy = call;
        name.listedMtime = file.mtime();
        name.listedClaimed = false;
        listed.add(name);
      } else if (file.mtime() > name.listedMtime) {
        name.listedMtime = file.mtime();
      }
    }
    // Existing claims: kept, re-dated or withdrawn. Backwards, as a withdrawal moves the last claim.
    for (int i = holder.count - 1; i >= 0; i--) {
      Name name = holder.names[i];
      if (name.listedBy == call) {
        name.listedClaimed = true;
        int slot = holder.slots[i];
        if (name.mtimes[slot] != name.listedMtime) {
          redate(name, slot, name.listedMtime);
        }
      } else {
        unclaim(holder, i);
      }
    }
    ensureCapacity(holder, holder.count + listed.size());
    for (Name name : listed) {
      if (!name.listedClaimed) {
        claim(holder, name, name.listedMtime);
      }
    }
    if (holder.count < holder.names.length / 4) {
      holder.names = Arrays.copyOf(holder.names, holder.count);
      holder.slots = Arrays.copyOf(holder.slots, holder.count);
    }
  }

  /** Takes every claim of a peer out of the directory. */
  void remove(long peerId) {
    Holder holder = peers.remove(peerId);
    if (holder != null) {
      withdraw(holder);
    }
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

  /** Increases whenever the encoded directory changes. */
  long version() {
    return version;
  }

  /** The current winner of a name, or null. */
  DirectoryEntry winner(String text) {
    Name name = names.get(text);
    return name == null ? null : new DirectoryEntry(name.holders[0].ip, name.holders[0].port, name.mtimes[0]);
  }

  /** The directory line, {@code \n} included, as seed peers expect it; built once per change. */
  Buffer encoded() {
    if (encoded == null) {
      List<byte[]> members = new ArrayList<>(ordered.size());
      for (Name name : ordered.values()) {
        if (name.member == null) {
          Holder best = name.holders[0];
          name.member = SeedCodec.encodeDirectoryMember(name.text, best.ip, best.port, name.mtimes[0]);
        }
        members.add(name.member);
      }
      encoded = SeedCodec.directoryLine(members);
    }
    return encoded;
  }

  private static List<FileEntry> filesOf(Holder holder) {
    List<FileEntry> files = new ArrayList<>(holder.count);
    for (int i = 0; i < holder.count; i++) {
      files.add(new FileEntry(holder.names[i].text, holder.names[i].mtimes[holder.slots[i]]));
    }
    return files;
  }

  private void withdraw(Holder holder) {
    for (int i = holder.count - 1; i >= 0; i--) {
      unclaim(holder, i);
    }
    holder.names = NO_NAMES;
    holder.slots = NO_SLOTS;
  }

  // ---- one claim ------------------------------------------------------------------------------

  private void claim(Holder holder, Name name, long mtime) {
    if (name.size == 0) {
      ordered.put(name.text, name);
    } else if (name.size == name.holders.length) {
      int capacity = name.size * 2;
      name.holders = Arrays.copyOf(name.holders, capacity);
      name.mtimes = Arrays.copyOf(name.mtimes, capacity);
      name.claimIndex = Arrays.copyOf(name.claimIndex, capacity);
    }
    Holder before = name.size == 0 ? null : name.holders[0];
    long beforeMtime = name.mtimes[0];
    int index = holder.count++;
    int slot = name.size++;
    holder.names[index] = name;
    holder.slots[index] = slot;
    name.holders[slot] = holder;
    name.mtimes[slot] = mtime;
    name.claimIndex[slot] = index;
    siftUp(name, slot);
    winnerMayHaveChanged(name, before, beforeMtime);
  }

  /** Removes claim {@code index} of a holder; its last claim takes that index. */
  private void unclaim(Holder holder, int index) {
    Name name = holder.names[index];
    Holder before = name.holders[0];
    long beforeMtime = name.mtimes[0];
    removeSlot(name, holder.slots[index]);
    int last = --holder.count;
    if (index != last) {
      holder.names[index] = holder.names[last];
      holder.slots[index] = holder.slots[last];
      Name moved = holder.names[index];
      moved.claimIndex[holder.slots[index]] = index;
    }
    holder.names[last] = null;
    if (name.size == 0) {
      names.remove(name.text);
      ordered.remove(name.text);
      name.member = null;
      changed();
    } else {
      winnerMayHaveChanged(name, before, beforeMtime);
    }
  }

  private void redate(Name name, int slot, long mtime) {
    Holder before = name.holders[0];
    long beforeMtime = name.mtimes[0];
    name.mtimes[slot] = mtime;
    siftDown(name, siftUp(name, slot));
    winnerMayHaveChanged(name, before, beforeMtime);
  }

  private void winnerMayHaveChanged(Name name, Holder before, long beforeMtime) {
    Holder best = name.holders[0];
    if (before == null || name.mtimes[0] != beforeMtime || !best.sameAddress(before)) {
      name.member = null;
      changed();
    }
  }

  private static void ensureCapacity(Holder holder, int capacity) {
    if (capacity > holder.names.length) {
      holder.names = Arrays.copyOf(holder.names, capacity);
      holder.slots = Arrays.copyOf(holder.slots, capacity);
    }
  }

  // ---- the heap of a name's holders -----------------------------------------------------------

  private static void removeSlot(Name name, int slot) {
    int last = --name.size;
    if (slot != last) {
      move(name, last, slot);
      siftDown(name, siftUp(name, slot));
    }
    name.holders[last] = null;
    if (name.size > 0 && name.size < name.holders.length / 4) {
      int capacity = Math.max(2, name.holders.length / 2);
      name.holders = Arrays.copyOf(name.holders, capacity);
      name.mtimes = Arrays.copyOf(name.mtimes, capacity);
      name.claimIndex = Arrays.copyOf(name.claimIndex, capacity);
    }
  }

  /** Moves slot {@code from} up while it beats its parent; returns where it ends. */
  private static int siftUp(Name name, int slot) {
    while (slot > 0) {
      int parent = (slot - 1) >>> 1;
      if (!name.better(slot, parent)) {
        break;
      }
      swap(name, slot, parent);
      slot = parent;
    }
    return slot;
  }

  private static void siftDown(Name name, int slot) {
    while (true) {
      int left = 2 * slot + 1;
      if (left >= name.size) {
        return;
      }
      int child = left + 1 < name.size && name.better(left + 1, left) ? left + 1 : left;
      if (!name.better(child, slot)) {
        return;
      }
      swap(name, slot, child);
      slot = child;
    }
  }

  private static void swap(Name name, int a, int b) {
    Holder holder = name.holders[a];
    long mtime = name.mtimes[a];
    int index = name.claimIndex[a];
    move(name, b, a);
    name.holders[b] = holder;
    name.mtimes[b] = mtime;
    name.claimIndex[b] = index;
    holder.slots[index] = b;
  }

  /** Puts the claim at slot {@code from} into slot {@code to}, telling its holder. */
  private static void move(Name name, int from, int to) {
    Holder holder = name.holders[from];
    name.holders[to] = holder;
    name.mtimes[to] = name.mtimes[from];
    name.claimIndex[to] = name.claimIndex[from];
    holder.slots[name.claimIndex[to]] = to;
  }

  private void changed() {
    encoded = null;
    version++;
  }
}
