package p2psync.peer.sync;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import p2psync.common.FileNames;
import p2psync.common.v2.Sha256;

/**
 * What a v2 peer remembers of its folder between runs, in {@code .p2psync-state/sync}: the last
 * synced version of every name (the version this peer and the directory last agreed on) and the
 * tombstones of deleted names; and, in {@code .p2psync-state/peer-id}, the short stable id that
 * names this peer's conflict copies. A corrupt or unreadable file is logged and rebuilt (the peer
 * then knows no synced versions: a replaced file goes to the trash rather than to a conflict copy,
 * so nothing is lost), never a crash.
 *
 * <p>Load and save block; the object itself is confined to the peer's event loop, and {@link
 * #snapshot} hands a copy to the worker that saves it.
 */
final class SyncState {
  private static final Logger LOG = System.getLogger(SyncState.class.getName());
  private static final String HEADER = "p2psync-sync 1";
  private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  static final int ID_LENGTH = 7;

  /**
   * One version of a file: its content hash (null when it came the seed way, unverified, and was
   * not hashed since), size and mtime in seconds.
   */
  record Version(String sha256, long size, long mtime) {}

  /** A deleted name: when it was deleted (seconds), and the version it had. */
  record Tombstone(String name, long deletedAt, String sha256, long size) {}

  final String peerId;
  final Map<String, Version> synced;
  final Map<String, Tombstone> tombstones;

  private SyncState(String peerId, Map<String, Version> synced, Map<String, Tombstone> tombstones) {
    this.peerId = peerId;
    this.synced = synced;
    this.tombstones = tombstones;
  }

  static Path file(Path root) {
    return root.resolve(FileNames.STATE_DIR).resolve("sync");
  }

  static Path idFile(Path root) {
    return root.resolve(FileNames.STATE_DIR).resolve("peer-id");
  }

  /** The state of the folder at {@code root}; blocking. */
  static SyncState load(Path root) throws IOException {
    String id = loadId(root);
    Map<String, Version> synced = new TreeMap<>();
    Map<String, Tombstone> tombstones = new TreeMap<>();
    try {
      List<String> lines = StateFile.read(file(root), HEADER);
      for (String line : lines == null ? List.<String>of() : lines) {
        String[] f = line.split(" ", 5);
        if (f.length != 5
            || !(Sha256.isHex(f[1]) || f[0].equals("v") && f[1].equals("-"))
            || !FileNames.isSyncable(f[4])) {
          throw new IOException(file(root) + ": a bad line: " + line);
        }
        long size = Long.parseLong(f[2]);
        long time = Long.parseLong(f[3]);
        switch (f[0]) {
          case "v" -> synced.put(f[4], new Version(f[1].equals("-") ? null : f[1], size, time));
          case "t" -> tombstones.put(f[4], new Tombstone(f[4], time, f[1], size));
          default -> throw new IOException(file(root) + ": a bad line: " + line);
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.log(Level.WARNING, "the sync state of " + root + " is corrupt, starting afresh: " + e, e);
      synced.clear();
      tombstones.clear();
    }
    return new SyncState(id, synced, tombstones);
  }

  /** The peer id, created on first use; a bad one is replaced (only new conflict names use it). */
  private static String loadId(Path root) throws IOException {
    Path file = idFile(root);
    try {
      List<String> lines = StateFile.read(file, "p2psync-peer-id 1");
      if (lines != null && lines.size() == 1 && isId(lines.get(0))) {
        return lines.get(0);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "the peer id of " + root + " is unreadable, making a new one: " + e);
    }
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder(ID_LENGTH);
    for (int i = 0; i < ID_LENGTH; i++) {
      id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
    }
    StateFile.write(file, "p2psync-peer-id 1", List.of(id.toString()));
    return id.toString();
  }

  private static boolean isId(String text) {
    return text.length() == ID_LENGTH && text.chars().allMatch(c -> ID_ALPHABET.indexOf(c) >= 0);
  }

  /** A copy to save on another thread. */
  SyncState snapshot() {
    return new SyncState(peerId, new TreeMap<>(synced), new TreeMap<>(tombstones));
  }

  /** Writes the state atomically; blocking. */
  void save(Path root) throws IOException {
    List<String> records = new ArrayList<>(synced.size() + tombstones.size());
    synced.forEach(
        (name, v) ->
            records.add(
                "v "
                    + (v.sha256() == null ? "-" : v.sha256()) // came the seed way, unverified
                    + " "
                    + v.size()
                    + " "
                    + v.mtime()
                    + " "
                    + name));
    tombstones.forEach(
        (name, t) ->
            records.add("t " + t.sha256() + " " + t.size() + " " + t.deletedAt() + " " + name));
    StateFile.write(file(root), HEADER, records);
  }
}
