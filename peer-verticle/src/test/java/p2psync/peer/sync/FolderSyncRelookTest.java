package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SyncConfig;
import p2psync.common.v2.V2Entry;

/**
 * Concurrent edits of one second (seen in the 3-peer sync cell of the convergence matrix): a local
 * file is advertised before its hash is known, and a directory naming another version of the same
 * mtime is passed over ("the local copy is as new", mtime against mtime). Learning the hash changes
 * nothing at the tracker when the other version comes first, so no delta names the name again: the
 * scan that learns it must have it looked at again. Drives {@link FolderSync} as the peer does,
 * with a fixed clock.
 */
@ExtendWith(VertxExtension.class)
class FolderSyncRelookTest {
  static final long M = 1_714_560_000L;
  static final String THEIRS = "f".repeat(64); // first in the order at an equal mtime

  @TempDir Path root;
  FolderSync sync;

  @BeforeEach
  void open(Vertx vertx) throws Exception {
    sync =
        new FolderSync(
            vertx,
            root,
            new SyncConfig(),
            Clock.fixed(Instant.ofEpochSecond(M + 60), ZoneOffset.UTC));
    get(sync.open());
  }

  @AfterEach
  void close() throws Exception {
    get(sync.close());
  }

  @Test
  void aHashLearntAfterTheDirectoryPassedTheNameOverHasItLookedAtAgain() throws Exception {
    String mine = write("doc.txt", "mine", M);
    DirectoryEntry theirs = new DirectoryEntry("127.0.0.1", 1, M, v2(THEIRS));
    sync.advertise(sync.beginScan(), List.of(new FileEntry("doc.txt", M))); // not hashed yet
    sync.onDirectory(Map.of()); // the first look
    assertThat(sync.takeRelook()).isEmpty();

    sync.onDirectoryDelta(Map.of("doc.txt", theirs), Set.of("doc.txt"));
    assertThat(sync.whyNotDownload("doc.txt", theirs)).startsWith("the local copy is as new");

    // the hash is learnt: the name must be looked at again, though no delta names it
    sync.advertise(sync.beginScan(), List.of(new FileEntry("doc.txt", M, 4, mine)));
    assertThat(sync.takeRelook()).containsExactly("doc.txt");
    assertThat(sync.takeRelook()).isEmpty(); // taken once

    // and then theirs (first in the order) is fetched, this peer's own edit kept as a conflict copy
    assertThat(sync.whyNotDownload("doc.txt", theirs)).isNull();
    sync.displace("doc.txt", root.resolve("doc.txt"));
    assertThat(conflictCopies()).containsExactly("mine");
  }

  /**
   * A version fetched the seed way (unverified, its hash unknown then) that loses to another of the
   * same second is no edit of this peer's: it goes to the trash, the conflict copy is its author's
   * to make (else every peer that fetched it made one more copy of the same content).
   */
  @Test
  void aVersionFetchedTheSeedWayThatLosesAtTheSameMtimeGoesToTheTrash() throws Exception {
    sync.advertise(sync.beginScan(), List.of());
    sync.onDirectory(Map.of());
    String fetched = write("doc.txt", "from another peer", M);
    sync.downloaded("doc.txt", M, "from another peer".length(), null);
    sync.advertise(
        sync.beginScan(),
        List.of(new FileEntry("doc.txt", M, "from another peer".length(), fetched)));

    DirectoryEntry theirs = new DirectoryEntry("127.0.0.1", 1, M, v2(THEIRS));
    assertThat(sync.whyNotDownload("doc.txt", theirs)).isNull();
    sync.displace("doc.txt", root.resolve("doc.txt"));
    assertThat(conflictCopies()).isEmpty();
    assertThat(trash()).containsExactly("from another peer");
  }

  private String write(String name, String text, long mtime) throws Exception {
    Path file = Files.writeString(root.resolve(name), text, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(mtime, TimeUnit.SECONDS));
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static V2Entry v2(String sha) {
    return new V2Entry(
        8, sha, List.of(new V2Entry.Source("127.0.0.1", 1), new V2Entry.Source("127.0.0.1", 2)));
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
