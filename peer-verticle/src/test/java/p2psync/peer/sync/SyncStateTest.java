package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sync state survives restarts; a damaged one is rebuilt, never a crash; the id is stable. */
class SyncStateTest {
  static final String A = "a".repeat(64);

  @TempDir Path root;

  @Test
  void versionsAndTombstonesSurviveARestartAndThePeerIdIsStable() throws Exception {
    SyncState state = SyncState.load(root);
    state.synced.put("name with spaces.txt", new SyncState.Version(A, 5, 100));
    state.synced.put("seed-way.bin", new SyncState.Version(null, 7, 90));
    state.tombstones.put("gone", new SyncState.Tombstone("gone", 200, A, 5));
    state.snapshot().save(root);

    SyncState again = SyncState.load(root);
    assertThat(again.peerId).isEqualTo(state.peerId).matches("[A-Z2-7]{7}");
    assertThat(again.synced).isEqualTo(state.synced);
    assertThat(again.tombstones).isEqualTo(state.tombstones);
  }

  @ParameterizedTest(name = "damage {index}")
  @ValueSource(
      strings = {
        "", // empty
        "p2psync-sync 1\nv " + "a" + " 5 100 f\nend 1\n", // a bad hash
        "p2psync-sync 1\nv " + "a" + "\n", // truncated
        "p2psync-sync 1\nx y\nend 1\n", // an unknown record
        "p2psync-sync 1\nend 3\n", // a count that does not match
        "p2psync-sync 1\nv %s 5 100 ../escape\nend 1\n", // a name that is never synced
        "garbage\u0000\u00ff",
      })
  void aDamagedStateIsRebuilt(String text) throws Exception {
    Path file = SyncState.file(root);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text.replace("%s", A), StandardCharsets.ISO_8859_1);
    SyncState state = SyncState.load(root);
    assertThat(state.synced).isEmpty();
    assertThat(state.tombstones).isEmpty();
    state.synced.put("f", new SyncState.Version(A, 1, 2));
    state.save(root); // and it is written afresh
    assertThat(SyncState.load(root).synced).containsOnlyKeys("f");
  }

  @Test
  void aWriteLeavesNoTempFileAndTheStateFolderIsNeverSynced() throws Exception {
    SyncState.load(root).save(root);
    try (var files = Files.list(SyncState.file(root).getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("sync", "peer-id");
    }
    assertThat(List.of(SyncState.file(root).getParent().getFileName().toString()))
        .allSatisfy(n -> assertThat(p2psync.common.FileNames.isSyncable(n)).isFalse());
  }
}
