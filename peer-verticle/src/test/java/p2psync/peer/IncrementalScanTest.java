package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * While the watcher sees every change, a peer's advertisements look only at the names that changed
 * (and those it downloaded) since the last scan, not at every file: what they find is what a whole
 * scan would find.
 */
@ExtendWith(VertxExtension.class)
class IncrementalScanTest {
  @TempDir Path dir;

  private static final long T0 = 1_700_000_000_000L;

  private void write(String name, String text, long mtimeMillis) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
  }

  @ParameterizedTest(name = "{0} (keyed {1})")
  @CsvSource({
    "a new file, false",
    "a new file, true",
    "an edit with a new mtime, false",
    "an edit with a new mtime, true",
    "an edit in the same second (size changed), true",
    "a deletion, false",
    "a deletion, true",
    "a file replaced by a folder, true",
    "a folder replaced by a file, true",
    "a file renamed over another, true",
    "a temp name, true",
  })
  void aRescanOfTheChangedNamesFindsWhatAWholeScanFinds(String change, boolean keyed)
      throws Exception {
    write("a.txt", "a", T0);
    write("b.txt", "b", T0);
    Files.createDirectory(dir.resolve("sub"));
    LocalFolder folder = new LocalFolder(dir, keyed);
    LocalFolder.Scan base = folder.scan();

    Set<String> names =
        switch (change) {
          case "a new file" -> {
            write("c.txt", "c", T0 + 5_000);
            yield Set.of("c.txt");
          }
          case "an edit with a new mtime" -> {
            write("a.txt", "a2", T0 + 7_000);
            yield Set.of("a.txt");
          }
          case "an edit in the same second (size changed)" -> {
            write("a.txt", "a-longer", T0 + 300);
            yield Set.of("a.txt");
          }
          case "a deletion" -> {
            Files.delete(dir.resolve("b.txt"));
            yield Set.of("b.txt");
          }
          case "a file replaced by a folder" -> {
            Files.delete(dir.resolve("b.txt"));
            Files.createDirectory(dir.resolve("b.txt"));
            yield Set.of("b.txt");
          }
          case "a folder replaced by a file" -> {
            Files.delete(dir.resolve("sub"));
            write("sub", "now a file", T0);
            yield Set.of("sub");
          }
          case "a file renamed over another" -> {
            Files.move(
                dir.resolve("a.txt"), dir.resolve("b.txt"), StandardCopyOption.REPLACE_EXISTING);
            yield Set.of("a.txt", "b.txt");
          }
          case "a temp name" -> {
            write("b.txt.part", "partial", T0);
            yield Set.of("b.txt.part");
          }
          default -> throw new IllegalArgumentException(change);
        };

    LocalFolder.Scan rescan = folder.rescan(base, names);
    LocalFolder.Scan whole = folder.scan();
    assertThat(rescan.files()).as("files").isEqualTo(whole.files());
    assertThat(rescan.occupied()).as("occupied").isEqualTo(whole.occupied());
    assertThat(rescan.keys()).as("keys").isEqualTo(whole.keys());
    assertThat(base.files()).as("the base is left as it was").containsKey("a.txt");
  }

  /** Files and their mtimes in the latest Init the fake tracker read. */
  private static Map<String, Long> lastList(FakeTrackerAndSource tracker) {
    List<String> messages = tracker.messages;
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject message = new JsonObject(messages.get(i));
      JsonArray files = message.getJsonArray("files");
      if (files != null) {
        Map<String, Long> list = new HashMap<>();
        for (int j = 0; j < files.size(); j++) {
          JsonObject file = files.getJsonObject(j);
          if (!file.getBoolean("deleted", false)) {
            list.put(file.getString("name"), file.getLong("mtime"));
          }
        }
        return list;
      }
    }
    return Map.of();
  }

  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {1, 2})
  void changesAreAdvertisedWithoutAWholeScanWhileWatched(int protocol, Vertx vertx)
      throws Exception {
    write("a.txt", "a", T0);
    write("c.txt", "c", T0);
    FakeTrackerAndSource tracker = new FakeTrackerAndSource();
    RescanTest.get(tracker.start(vertx));
    PeerVerticle peer =
        TestPeers.start(
            vertx,
            dir,
            tracker.trackerPort,
            protocol,
            TestPeers.fastSync().setRescanInterval(Duration.ofHours(1)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastList(tracker).equals(Map.of("a.txt", T0 / 1000, "c.txt", T0 / 1000)));
    long scans = peer.scans();

    write("b.txt", "b", T0 + 10_000);
    write("a.txt", "a2", T0 + 20_000);
    Files.delete(dir.resolve("c.txt"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lastList(tracker).equals(Map.of("a.txt", T0 / 1000 + 20, "b.txt", T0 / 1000 + 10)));
    assertThat(peer.scans()).as("whole scans").isEqualTo(scans);
  }
}
