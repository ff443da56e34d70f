package p2psync.peer.sync;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import p2psync.common.FileNames;

/**
 * Where a v2 peer puts a file it removes or replaces, in {@code .p2psync-state/trash}: every file
 * in a folder of its own, {@code MILLIS-SHA256-NONCE/NAME} (the time it was trashed, the hash of
 * its content or {@code unhashed}, a nonce), so the file keeps its name and mtime, the purge reads
 * the age from the folder's name, and a wanted version can be found by its hash without reading a
 * byte. The trash is inside the synchronized folder, so a file goes there by a rename: no copy, no
 * moment without the file. Blocking.
 */
final class Trash {
  private static final Logger LOG = System.getLogger(Trash.class.getName());
  static final String UNHASHED = "unhashed";

  private final Path dir;

  /** The hashes of what the trash holds, so a look-up costs nothing when it holds none. */
  private final Set<String> hashes = ConcurrentHashMap.newKeySet();

  Trash(Path root) {
    this.dir = root.resolve(FileNames.STATE_DIR).resolve("trash");
  }

  Path dir() {
    return dir;
  }

  /** Moves {@code file} (named {@code name}) into the trash; returns where it went. */
  Path put(Path file, String name, String sha256, Instant now) throws IOException {
    Path slot =
        dir.resolve(
            now.toEpochMilli()
                + "-"
                + (sha256 == null ? UNHASHED : sha256)
                + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    Files.createDirectories(slot);
    Path target = slot.resolve(name);
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    if (sha256 != null) {
      hashes.add(sha256);
    }
    return target;
  }

  /** Whether the trash may hold this content (no false negatives); no I/O. */
  boolean mayHold(String sha256) {
    return hashes.contains(sha256);
  }

  /** A trashed file with this content, or null. */
  Path find(String sha256) throws IOException {
    for (Path slot : slots()) {
      String[] parts = slot.getFileName().toString().split("-", 3);
      if (parts.length == 3 && parts[1].equals(sha256)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(slot)) {
          for (Path file : files) {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
              return file;
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * Deletes what was trashed longer than {@code retention} ago; returns how many files. Also learns
   * the hashes of what is left (the trash of an earlier run).
   */
  int purge(Instant now, Duration retention) throws IOException {
    int purged = 0;
    long oldest = now.minus(retention).toEpochMilli();
    Set<String> kept = new HashSet<>();
    for (Path slot : slots()) {
      String[] parts = slot.getFileName().toString().split("-", 3);
      long trashedAt;
      try {
        trashedAt = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue; // not ours: left alone
      }
      if (trashedAt < oldest) {
        purged += deleteSlot(slot);
      } else if (parts.length == 3) {
        kept.add(parts[1]);
      }
    }
    hashes.retainAll(kept);
    hashes.addAll(kept);
    return purged;
  }

  private int deleteSlot(Path slot) throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(slot)) {
      for (Path file : files) {
        Files.deleteIfExists(file);
        deleted++;
      }
    }
    Files.deleteIfExists(slot);
    LOG.log(Level.DEBUG, () -> "purged " + slot + " from the trash");
    return deleted;
  }

  /** Every file in the trash, newest first (a slot that is not ours is left out). */
  List<SyncStatus.TrashEntry> list() throws IOException {
    List<SyncStatus.TrashEntry> entries = new ArrayList<>();
    for (Path slot : slots()) {
      long trashedAt;
      try {
        trashedAt = Long.parseLong(slot.getFileName().toString().split("-", 2)[0]);
      } catch (NumberFormatException e) {
        continue; // not ours
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(slot)) {
        for (Path file : files) {
          BasicFileAttributes attrs;
          try {
            attrs =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          } catch (NoSuchFileException e) {
            continue; // purged or taken back meanwhile
          }
          if (attrs.isRegularFile()) {
            entries.add(
                new SyncStatus.TrashEntry(file.getFileName().toString(), trashedAt, attrs.size()));
          }
        }
      } catch (NoSuchFileException e) {
        // the slot was purged meanwhile
      }
    }
    entries.sort(Comparator.comparingLong(SyncStatus.TrashEntry::trashedAt).reversed());
    return entries;
  }

  private List<Path> slots() throws IOException {
    List<Path> slots = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return slots;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          slots.add(entry);
        }
      }
    }
    return slots;
  }
}
