package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;

class DirectoryTest {
  final Directory directory = new Directory();

  @Test
  void newestMtimeWins() {
    directory.register(1, "127.0.0.1", 8001);
    directory.register(2, "127.0.0.1", 8002);
    directory.replaceFiles(1, List.of(new FileEntry("a", 100)));
    directory.replaceFiles(2, List.of(new FileEntry("a", 200)));
    assertThat(directory.winner("a")).isEqualTo(new DirectoryEntry("127.0.0.1", 8002, 200));
  }

  @Test
  void equalMtimesGoToTheLowestAddressWhateverTheArrivalOrder() {
    Directory other = new Directory();
    directory.register(1, "10.0.0.2", 8000);
    directory.register(2, "10.0.0.1", 9000);
    directory.replaceFiles(1, List.of(new FileEntry("a", 100)));
    directory.replaceFiles(2, List.of(new FileEntry("a", 100)));
    other.register(7, "10.0.0.1", 9000);
    other.register(8, "10.0.0.2", 8000);
    other.replaceFiles(7, List.of(new FileEntry("a", 100)));
    other.replaceFiles(8, List.of(new FileEntry("a", 100)));
    assertThat(directory.winner("a")).isEqualTo(new DirectoryEntry("10.0.0.1", 9000, 100));
    assertThat(other.encoded()).isEqualTo(directory.encoded());
  }

  @Test
  void aLeavingWinnerIsReplacedByTheNextBestAndALastHolderTakesTheNameAlong() {
    directory.register(1, "127.0.0.1", 8001);
    directory.register(2, "127.0.0.1", 8002);
    directory.replaceFiles(1, List.of(new FileEntry("a", 100), new FileEntry("b", 5)));
    directory.replaceFiles(2, List.of(new FileEntry("a", 200)));
    directory.remove(2);
    assertThat(directory.winner("a")).isEqualTo(new DirectoryEntry("127.0.0.1", 8001, 100));
    directory.remove(1);
    assertThat(directory.winner("a")).isNull();
    assertThat(directory.nameCount()).isZero();
    assertThat(directory.encoded().toString()).isEqualTo("{}\n");
  }

  @Test
  void replacingFilesWithdrawsNamesNoLongerListed() {
    directory.register(1, "127.0.0.1", 8001);
    directory.replaceFiles(1, List.of(new FileEntry("a", 1), new FileEntry("b", 2)));
    directory.replaceFiles(1, List.of(new FileEntry("b", 3)));
    assertThat(directory.encoded().toString())
        .isEqualTo("{\"b\": {\"ip\": \"127.0.0.1\", \"port\": 8001, \"mtime\": 3}}\n");
  }

  @Test
  void theLineIsEncodedOncePerChangeAndSharedByReplies() {
    directory.register(1, "127.0.0.1", 8001);
    directory.replaceFiles(1, List.of(new FileEntry("a", 1)));
    var first = directory.encoded();
    long version = directory.version();
    directory.replaceFiles(1, List.of(new FileEntry("a", 1))); // the same list again
    assertThat(directory.encoded()).isSameAs(first);
    assertThat(directory.version()).isEqualTo(version);
    directory.replaceFiles(1, List.of(new FileEntry("a", 2)));
    assertThat(directory.encoded()).isNotSameAs(first);
    assertThat(directory.version()).isGreaterThan(version);
  }

  @Test
  void aReplacedWireLineIsFreedOnceItsLastWriterIsDone() {
    directory.register(1, "127.0.0.1", 8001);
    directory.replaceFiles(1, List.of(new FileEntry("a", 1)));
    ByteBuf line = directory.wireLine();
    ByteBuf pendingWrite = line.retainedDuplicate(); // a write holding its own reference
    directory.replaceFiles(1, List.of(new FileEntry("a", 2)));
    assertThat(line.refCnt()).as("still held by the write").isEqualTo(1);
    assertThat(pendingWrite.toString(StandardCharsets.US_ASCII)).contains("\"mtime\": 1}");
    pendingWrite.release();
    assertThat(line.refCnt()).isZero();
    ByteBuf last = directory.wireLine();
    directory.close();
    assertThat(last.refCnt()).isZero();
  }

  @Test
  void aPeerThatChangesItsPortMovesItsClaims() {
    directory.register(1, "127.0.0.1", 8001);
    directory.replaceFiles(1, List.of(new FileEntry("a", 1)));
    directory.register(1, "127.0.0.1", 8005);
    assertThat(directory.winner("a")).isEqualTo(new DirectoryEntry("127.0.0.1", 8005, 1));
  }

  @Test
  void winnersLeavingOneAfterAnotherAreReplacedInOrder() {
    // Joins fill the unsorted tail; each departure of the winner must find the next best.
    int peers = 200;
    for (int p = 0; p < peers; p++) {
      directory.register(p, "10.0.0.1", 20_000 - p); // the last to join has the lowest port
      directory.replaceFiles(p, List.of(new FileEntry("a", 100 + p % 3), new FileEntry("b", 7)));
    }
    for (int left = 0; left < peers - 1; left++) {
      directory.remove(20_000 - directory.winner("a").port());
      long best = 0;
      int bestPort = Integer.MAX_VALUE;
      int lowestPort = Integer.MAX_VALUE;
      for (int p = 0; p < peers; p++) {
        if (directory.contains(p)) {
          lowestPort = Math.min(lowestPort, 20_000 - p);
          if (100 + p % 3 > best || 100 + p % 3 == best && 20_000 - p < bestPort) {
            best = 100 + p % 3;
            bestPort = 20_000 - p;
          }
        }
      }
      assertThat(directory.winner("a")).isEqualTo(new DirectoryEntry("10.0.0.1", bestPort, best));
      assertThat(directory.winner("b")).isEqualTo(new DirectoryEntry("10.0.0.1", lowestPort, 7));
    }
  }

  @Test
  void claimsOfOneVersionShareOneRecordAndTheLastClaimToGoFreesIt() {
    String a = "a".repeat(64);
    String b = "b".repeat(64);
    for (int peer = 1; peer <= 3; peer++) {
      directory.register(peer, "127.0.0.1", 8000 + peer);
      directory.replaceFiles(
          peer, List.of(new FileEntry("x", 100, 5, a), new FileEntry("y", 100, 5, b)));
    }
    assertThat(directory.versionRecords()).isEqualTo(2);
    directory.replaceFiles(
        1, List.of(new FileEntry("x", 200, 6, b), new FileEntry("y", 100, 5, b)));
    assertThat(directory.versionRecords()).as("x's new version: one more").isEqualTo(3);
    directory.register(2, "127.0.0.1", 9002); // a moved peer's claims move with it
    assertThat(directory.versionRecords()).isEqualTo(3);
    directory.replaceFiles(3, List.of(new FileEntry("x", 300, 5, a, true)));
    assertThat(directory.versionRecords()).as("a tombstone is a version of its own").isEqualTo(4);
    assertThat(directory.record(3).files()).containsExactly(new FileEntry("x", 300, 5, a, true));
    directory.remove(1);
    directory.remove(2);
    directory.remove(3);
    assertThat(directory.versionRecords()).isZero();
  }

  @Test
  void aConvergedSwarmHoldsItsClaimsAsBitsAndTiesStillGoToTheLowestAddress() {
    String v1 = "1".repeat(64);
    String v2 = "2".repeat(64);
    int peers = 300;
    List<FileEntry> files = new java.util.ArrayList<>();
    for (int n = 0; n < 40; n++) {
      files.add(new FileEntry("f" + n, 100, 5, v1));
    }
    for (int p = 0; p < peers; p++) {
      // joined in an order unrelated to their addresses
      directory.register(p, "10.0.0." + (1 + (p * 7) % 250), 9000 + p);
      directory.replaceFiles(p, files);
    }
    assertThat(directory.heapClaims()).isZero();
    assertThat(directory.sharedClaims()).isEqualTo(peers * 40L);
    assertThat(directory.winner("f0")).isEqualTo(new DirectoryEntry("10.0.0.1", 9000, 100));

    // one peer moves on to a new version of one name: that claim alone is held one by one
    List<FileEntry> changed = new java.util.ArrayList<>(files);
    changed.set(3, new FileEntry("f3", 200, 6, v2));
    directory.replaceFiles(77, changed);
    assertThat(directory.heapClaims()).isEqualTo(1);
    assertThat(directory.winner("f3").mtime()).isEqualTo(200);
    directory.replaceFiles(77, files); // and back
    assertThat(directory.heapClaims()).isZero();
    assertThat(directory.winner("f3")).isEqualTo(new DirectoryEntry("10.0.0.1", 9000, 100));

    // the lowest addresses leave one after another: the next lowest is named each time
    java.util.TreeMap<String, Integer> byAddress = new java.util.TreeMap<>();
    for (int p = 0; p < peers; p++) {
      String ip = "10.0.0." + (1 + (p * 7) % 250);
      // the ip in string order (a prefix first: NUL sorts first), then the (4-digit) port
      byAddress.put(ip + "\u0000" + (9000 + p), p);
    }
    while (byAddress.size() > 1) {
      directory.remove(byAddress.pollFirstEntry().getValue());
      String[] next = byAddress.firstKey().split("\u0000");
      assertThat(directory.winner("f39"))
          .isEqualTo(new DirectoryEntry(next[0], Integer.parseInt(next[1]), 100));
    }
    assertThat(directory.sharedClaims()).isEqualTo(40);
    directory.remove(byAddress.firstEntry().getValue());
    assertThat(directory.nameCount()).isZero();
    assertThat(directory.versionRecords()).isZero();
  }
}
