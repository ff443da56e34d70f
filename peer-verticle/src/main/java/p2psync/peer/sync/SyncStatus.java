package p2psync.peer.sync;

import java.util.List;

/**
 * What a status page shows of a v2 peer's sync state, immutable: built by {@link
 * FolderSync#status()}, read anywhere.
 *
 * @param tombstones the deletions this peer holds and advertises
 * @param conflictCopies conflict copies this peer made of its own edits since it started
 * @param recentConflictCopies the names of the latest of them, newest first
 * @param trashFiles the files in the trash, -1 when it cannot be read
 * @param trashBytes their total size, -1 when it cannot be read
 * @param trash the newest of them, newest first (at most {@link #MAX_TRASH_ENTRIES})
 */
public record SyncStatus(
    int tombstones,
    long conflictCopies,
    List<String> recentConflictCopies,
    int trashFiles,
    long trashBytes,
    List<TrashEntry> trash) {

  /** Trash entries listed at most: a status is read often, a trash may hold thousands. */
  public static final int MAX_TRASH_ENTRIES = 100;

  public SyncStatus {
    recentConflictCopies = List.copyOf(recentConflictCopies);
    trash = List.copyOf(trash);
  }

  /**
   * One file in the trash.
   *
   * @param name the name it had in the folder
   * @param trashedAt when it went to the trash, epoch millis
   * @param size its size in bytes
   */
  public record TrashEntry(String name, long trashedAt, long size) {}
}
