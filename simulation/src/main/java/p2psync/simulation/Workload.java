package p2psync.simulation;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import p2psync.common.FileNames;

/**
 * The files each peer starts with, drawn from a seed: sizes from empty to {@code maxFileSize},
 * names with spaces and non-ASCII letters, and some names held by several peers in different
 * versions. Every version of a name has its own mtime, so the expected winner (newest mtime) is
 * unambiguous.
 */
public final class Workload {
  /** A version's identity as the checker compares it. */
  public record Content(long size, String sha256) {}

  /** One version of one file, as written in a peer's folder. */
  public record Version(byte[] bytes, long mtime, Content content) {}

  private static final long BASE_MTIME = 1_600_000_000L;
  private static final String[] STEMS = {
    "notes",
    "report final",
    "naïve café",
    "Ünïcödé",
    "日本語のファイル",
    "photo (copy)",
    "résumé",
    "data set",
    "Ελληνικά",
    "party 🎉",
    "budget 2025",
    "readme"
  };
  private static final String[] EXTENSIONS = {".txt", ".bin", " v2.dat", ""};
  private static final int SMALL = 16 * 1024;
  private static final int MEDIUM = 256 * 1024;

  private final List<Map<String, Version>> folders;
  private final Map<String, Version> winners;
  private final Map<String, Set<Content>> known;

  private Workload(List<Map<String, Version>> folders) {
    this.folders = folders;
    Map<String, Version> newest = new TreeMap<>();
    Map<String, Set<Content>> versions = new TreeMap<>();
    for (Map<String, Version> folder : folders) {
      folder.forEach(
          (name, version) -> {
            newest.merge(name, version, (a, b) -> a.mtime() >= b.mtime() ? a : b);
            versions.computeIfAbsent(name, n -> new HashSet<>()).add(version.content());
          });
    }
    this.winners = newest;
    this.known = versions;
  }

  /**
   * Draws {@code filesPerPeer} files for each of {@code peers} peers, except the peers in {@code
   * emptyPeers}, which start with nothing.
   */
  public static Workload generate(
      long seed, int peers, int filesPerPeer, long maxFileSize, Set<Integer> emptyPeers) {
    Random random = new Random(seed);
    List<Map<String, Version>> folders = new ArrayList<>();
    List<String> allNames = new ArrayList<>();
    Map<String, Set<Long>> usedMtimes = new HashMap<>();
    for (int peer = 0; peer < peers; peer++) {
      Map<String, Version> folder = new LinkedHashMap<>();
      folders.add(folder);
      if (emptyPeers.contains(peer)) {
        continue;
      }
      for (int file = 0; file < filesPerPeer; file++) {
        boolean large = file == 0 && peer % 3 == 0;
        // a large file keeps a name of its own, so that it is a winner and really crosses the swarm
        String name = pickName(random, peer, file, large ? List.of() : allNames, folder.keySet());
        long size = large ? pickLargeSize(random, maxFileSize) : pickSize(random, maxFileSize);
        long mtime;
        do {
          mtime = BASE_MTIME + random.nextInt(100_000_000);
        } while (!usedMtimes.computeIfAbsent(name, n -> new HashSet<>()).add(mtime));
        byte[] bytes = new byte[(int) size];
        random.nextBytes(bytes);
        folder.put(name, new Version(bytes, mtime, new Content(size, sha256(bytes))));
        if (!allNames.contains(name)) {
          allNames.add(name);
        }
      }
    }
    return new Workload(folders);
  }

  /** A fresh name, or now and then a name another peer already holds (a competing version). */
  private static String pickName(
      Random random, int peer, int file, List<String> taken, Set<String> mine) {
    if (!taken.isEmpty() && random.nextInt(100) < 30) {
      String other = taken.get(random.nextInt(taken.size()));
      if (!mine.contains(other)) {
        return other;
      }
    }
    String name =
        STEMS[random.nextInt(STEMS.length)]
            + " "
            + peer
            + "-"
            + file
            + EXTENSIONS[random.nextInt(EXTENSIONS.length)];
    if (!FileNames.isSyncable(name)) {
      throw new IllegalStateException("generated a name the peers would not sync: " + name);
    }
    return name;
  }

  /** Every third peer's first file: half the largest size to all of it. */
  private static long pickLargeSize(Random random, long maxFileSize) {
    return maxFileSize / 2 + (long) (random.nextDouble() * (maxFileSize - maxFileSize / 2));
  }

  /** Other files: some empty, most small, a few medium. */
  private static long pickSize(Random random, long maxFileSize) {
    int dice = random.nextInt(100);
    long cap =
        dice < 15 ? 0 : dice < 85 ? Math.min(maxFileSize, SMALL) : Math.min(maxFileSize, MEDIUM);
    return cap == 0 ? 0 : 1 + (long) (random.nextDouble() * cap);
  }

  /** What peer {@code index} starts with. */
  public Map<String, Version> folder(int index) {
    return folders.get(index);
  }

  /** Per name, the version every peer must end with. */
  public Map<String, Version> winners() {
    return winners;
  }

  /**
   * Whether {@code content} is some version of {@code name}: anything else under that name is a
   * torn file.
   */
  public boolean isKnown(String name, Content content) {
    return known.getOrDefault(name, Set.of()).contains(content);
  }

  public int distinctNames() {
    return winners.size();
  }

  public long winnerBytes() {
    return winners.values().stream().mapToLong(v -> v.content().size()).sum();
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
