package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.OnContext;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Entry;

/**
 * The data-safety review of the conflict rules: whatever a user does, every version a peer held
 * ends as the current file, a conflict copy or a file in the trash, and a deletion applied here
 * stays held. Drives {@link FolderSync} as the peer does (scan, directory, decision, displacement),
 * with a clock the test moves.
 */
@ExtendWith(VertxExtension.class)
class ConflictSafetyTest {
  static final long M = 1_714_560_000L; // the mtime of the local edits: 80 min before the clock
  static final String THEIRS = "f".repeat(64); // first in the order at an equal mtime

  @TempDir Path root;
  Instant now = Instant.parse("2024-05-01T12:00:00Z");
  FolderSync sync;

  @BeforeEach
  void open(Vertx vertx) throws Exception {
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Instant instant() {
            return now;
          }
        };
    sync = new FolderSync(vertx, root, new SyncConfig(), clock);
    get(sync.open());
  }

  @AfterEach
  void close() throws Exception {
    get(sync.close());
  }

  @Test
  void twoConflictsOfOneNameInOneSecondKeepBothLocalEdits() throws Exception {
    edit("doc.txt", "mine 1", M);
    assertThat(sync.whyNotDownload("doc.txt", directory(M, THEIRS, 1))).isNull();
    sync.displace("doc.txt", root.resolve("doc.txt"));
    assertThat(conflictCopies()).containsExactly("mine 1");

    // the user saves again in the same second, and loses again to the same version
    edit("doc.txt", "mine 2", M);
    assertThat(sync.whyNotDownload("doc.txt", directory(M, THEIRS, 1))).isNull();
    // the conflict name of this second is taken: the local edit stays where it is (before the
    // fix, rename(2) replaced the first conflict copy, and "mine 1" was gone)
    assertThatThrownBy(() -> sync.displace("doc.txt", root.resolve("doc.txt")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exists");
    assertThat(root.resolve("doc.txt")).hasContent("mine 2");
    assertThat(conflictCopies()).containsExactly("mine 1");

    // the next attempt, a second later, has a name of its own
    now = now.plusSeconds(1);
    assertThat(sync.whyNotDownload("doc.txt", directory(M, THEIRS, 1))).isNull();
    sync.displace("doc.txt", root.resolve("doc.txt"));
    assertThat(conflictCopies()).containsExactlyInAnyOrder("mine 1", "mine 2");
  }

  @Test
  void anOwnEditOthersHoldIsSyncedAndANewerEditSendsItToTheTrashNotAConflictCopy()
      throws Exception {
    String sha = edit("doc.txt", "mine", M);
    sync.onDirectory(Map.of("doc.txt", new DirectoryEntry("127.0.0.1", 1, M, v2(sha, 2))));
    assertThat(sync.whyNotDownload("doc.txt", directory(M + 10, THEIRS, 1))).isNull();
    sync.displace("doc.txt", root.resolve("doc.txt"));
    assertThat(conflictCopies()).isEmpty();
    assertThat(trash()).containsExactly("mine");
  }

  @Test
  void aFileNeverSyncedThatLosesGoesToTheTrash() throws Exception {
    edit("new.txt", "created here", M);
    assertThat(sync.whyNotDownload("new.txt", directory(M + 10, THEIRS, 1))).isNull();
    sync.displace("new.txt", root.resolve("new.txt"));
    assertThat(conflictCopies()).isEmpty();
    assertThat(trash()).containsExactly("created here");
  }

  /**
   * The user saves again between the decision and the displacement: what the decision saw is
   * checked by size and whole seconds, so an edit of the same size in the same second is not told
   * apart; it goes where the seen version would have gone (kept all the same), anything else stays.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "another size, mine, changed!, kept",
    "another second, mine, MINE, kept",
    "same size and second, mine, MINE, trash",
  })
  void anEditAfterTheDecisionIsNeverLost(String why, String seen, String saved, String where)
      throws Exception {
    String sha = edit("doc.txt", seen, M);
    sync.onDirectory(Map.of("doc.txt", new DirectoryEntry("127.0.0.1", 1, M, v2(sha, 2))));
    assertThat(sync.whyNotDownload("doc.txt", directory(M + 10, THEIRS, 1))).isNull();
    write("doc.txt", saved, why.equals("another second") ? M + 1 : M);
    if (where.equals("kept")) {
      assertThatThrownBy(() -> sync.displace("doc.txt", root.resolve("doc.txt")))
          .hasMessageContaining("changed meanwhile");
      assertThat(root.resolve("doc.txt")).hasContent(saved);
      assertThat(trash()).isEmpty();
    } else {
      sync.displace("doc.txt", root.resolve("doc.txt"));
      assertThat(trash()).containsExactly(saved);
    }
    assertThat(conflictCopies()).isEmpty();
  }

  @Test
  void aScanBegunBeforeATombstoneWasAppliedDoesNotDropIt(Vertx vertx) throws Exception {
    Context loop = vertx.getOrCreateContext();
    String sha = on(loop, () -> edit("gone.txt", "bye!", M));
    // a scan begins, then the tombstone of that very version comes and is applied
    long scan = on(loop, sync::beginScan);
    DirectoryEntry tombstone =
        new DirectoryEntry(
            "127.0.0.1", 2, M + 5, new V2Entry(4, sha, List.of(new V2Entry.Source("h", 2)), true));
    run(loop, () -> sync.onDirectory(Map.of("gone.txt", tombstone)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(OnContext.call(loop, sync::status).compose(f -> f)).tombstones() == 1);
    assertThat(trash()).containsExactly("bye!");

    // the scan finishes late, with the file it saw: the tombstone stays (it was dropped, and this
    // peer no longer held the deletion, before the fix)
    run(loop, () -> sync.advertise(scan, List.of(new FileEntry("gone.txt", M, 4, sha))));
    assertThat(get(OnContext.call(loop, sync::status).compose(f -> f)).tombstones()).isEqualTo(1);
    List<FileEntry> next = on(loop, () -> sync.advertise(sync.beginScan(), List.of()));
    assertThat(next).containsExactly(FileEntry.tombstone("gone.txt", M + 5, 4, sha));
  }

  /** Runs {@code action} on the event loop, as the peer does, and waits for it. */
  private static <T> T on(Context loop, Callable<T> action) throws Exception {
    return get(
        OnContext.call(
            loop,
            () -> {
              try {
                return action.call();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }));
  }

  private static void run(Context loop, Runnable action) throws Exception {
    on(
        loop,
        () -> {
          action.run();
          return null;
        });
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The user writes a file; the peer scans it (hashed) and advertises. Returns its hash. */
  private String edit(String name, String text, long mtime) throws Exception {
    write(name, text, mtime);
    String sha =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    sync.advertise(sync.beginScan(), List.of(new FileEntry(name, mtime, text.length(), sha)));
    return sha;
  }

  private void write(String name, String text, long mtime) throws IOException {
    Path file = Files.writeString(root.resolve(name), text, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(mtime, TimeUnit.SECONDS));
  }

  private static V2Entry v2(String sha, int holders) {
    List<V2Entry.Source> sources = new ArrayList<>();
    for (int i = 0; i < holders; i++) {
      sources.add(new V2Entry.Source("127.0.0.1", 1 + i));
    }
    return new V2Entry(8, sha, sources);
  }

  private static DirectoryEntry directory(long mtime, String sha, int holders) {
    return new DirectoryEntry("127.0.0.1", 1, mtime, v2(sha, holders));
  }

  private List<String> conflictCopies() throws IOException {
    return SyncFolderContents.conflictCopies(root);
  }

  private List<String> trash() throws IOException {
    return SyncFolderContents.trash(root);
  }

  private static <T> T get(Future<T> future) throws Exception {
    return SyncFolderContents.get(future);
  }
}
