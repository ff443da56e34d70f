package p2psync.peer.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2psync.common.FileNames;

class HashCacheTest {
  @TempDir Path folder;

  static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void hashesSurviveARestartAndAnyChangeOfSizeMtimeOrInodeMeansRehash() throws Exception {
    byte[] content = "hello world".getBytes();
    Files.write(folder.resolve("a b.txt"), content);
    HashCache cache = HashCache.load(folder);
    assertThat(cache.lookup("a b.txt", cache.key("a b.txt"))).isNull();
    assertThat(cache.hash("a b.txt")).isEqualTo(sha(content));
    cache.save();
    assertThat(cache.file().getParent().getFileName().toString()).isEqualTo(FileNames.STATE_DIR);

    HashCache restarted = HashCache.load(folder);
    HashCache.Key key = restarted.key("a b.txt");
    assertThat(restarted.lookup("a b.txt", key)).isEqualTo(sha(content)); // no rehash needed

    // same size, same mtime, another inode (a copy renamed over it): rehash
    FileTime mtime = Files.getLastModifiedTime(folder.resolve("a b.txt"));
    Path copy = folder.resolve("copy");
    Files.write(copy, "HELLO WORLD".getBytes());
    Files.setLastModifiedTime(copy, mtime);
    Files.move(copy, folder.resolve("a b.txt"), StandardCopyOption.REPLACE_EXISTING);
    HashCache.Key moved = restarted.key("a b.txt");
    assertThat(moved.size()).isEqualTo(key.size());
    assertThat(moved.mtimeNanos()).isEqualTo(key.mtimeNanos());
    assertThat(restarted.lookup("a b.txt", moved)).isNull();

    // another mtime: rehash
    Files.setLastModifiedTime(folder.resolve("a b.txt"), FileTime.fromMillis(1_000));
    assertThat(restarted.lookup("a b.txt", restarted.key("a b.txt"))).isNull();
    assertThat(restarted.hash("a b.txt")).isEqualTo(sha("HELLO WORLD".getBytes()));

    restarted.retainOnly(Set.of());
    restarted.save();
    assertThat(HashCache.load(folder).lookup("a b.txt", restarted.key("a b.txt"))).isNull();
  }

  /**
   * The key is read in one stat; it must still match the lines earlier versions wrote (the inode as
   * {@code unix:ino}), or an upgraded peer would rehash its whole folder.
   */
  @Test
  void aCacheLineWrittenFromTheUnixInodeStillMatches() throws Exception {
    Path file = folder.resolve("kept.bin");
    byte[] content = "kept".getBytes();
    Files.write(file, content);
    long nanos = Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    Object inode = Files.getAttribute(file, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    Path state = Files.createDirectories(folder.resolve(FileNames.STATE_DIR));
    Files.writeString(
        state.resolve("hashes"),
        "p2psync-hashes 1\n"
            + sha(content)
            + " "
            + content.length
            + " "
            + nanos
            + " "
            + inode
            + " kept.bin\nend 1\n");

    HashCache cache = HashCache.load(folder);
    assertThat(cache.lookup("kept.bin", cache.key("kept.bin"))).isEqualTo(sha(content));
    Files.createDirectory(folder.resolve("a folder"));
    assertThat(cache.key("a folder")).isNull();
    assertThat(cache.key("missing")).isNull();
  }

  @Test
  void aRenamedFileIsKnownByTheKeyItHadUnderItsOldNameAndNothingElseIs() throws Exception {
    byte[] content = "renamed".getBytes();
    Files.write(folder.resolve("old.txt"), content);
    Files.write(folder.resolve("stays.txt"), content);
    HashCache cache = HashCache.load(folder);
    cache.hash("old.txt");
    cache.hash("stays.txt");
    Files.move(folder.resolve("old.txt"), folder.resolve("new.txt"));
    // another file with the same size and mtime but its own inode: not the renamed one
    Files.write(folder.resolve("twin.txt"), "RENAMED".getBytes());
    Files.setLastModifiedTime(
        folder.resolve("twin.txt"), Files.getLastModifiedTime(folder.resolve("new.txt")));

    var vanished = cache.vanished(Set.of("new.txt", "stays.txt", "twin.txt"));
    assertThat(vanished).hasSize(1); // stays.txt is still here: not a candidate
    assertThat(vanished.get(cache.key("new.txt"))).isEqualTo(sha(content));
    assertThat(vanished.get(cache.key("twin.txt"))).isNull();
    // renamed, then edited: a new key, read again
    Files.write(folder.resolve("new.txt"), "edited".getBytes());
    assertThat(vanished.get(cache.key("new.txt"))).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", // empty
        "p2psync-hashes 1\n", // truncated: no end line
        "p2psync-hashes 1\nend 1\n", // count does not match
        "something else\nend 0\n", // not our header
        "p2psync-hashes 1\nzz 1 2 3 a\nend 1\n", // a bad hash
        "p2psync-hashes 1\n%s 1 x 3 a\nend 1\n", // a bad number
        "p2psync-hashes 1\n%s 1 2 3 ../evil\nend 1\n", // a name never synced
        "p2psync-hashes 1\n%s 1 2 3 a\nend 1\ntrailing\n", // data after the end
      })
  void aCorruptOrTruncatedCacheIsRebuilt(String text) throws Exception {
    Files.write(folder.resolve("a"), new byte[] {1});
    Path state = Files.createDirectories(folder.resolve(FileNames.STATE_DIR));
    Files.writeString(state.resolve("hashes"), text.replace("%s", "0".repeat(64)));
    HashCache cache = HashCache.load(folder);
    assertThat(cache.lookup("a", cache.key("a"))).isNull();
    cache.save(); // rewritten whole, even with nothing hashed yet
    assertThat(Files.readString(state.resolve("hashes"))).isEqualTo("p2psync-hashes 1\nend 0\n");
    assertThat(cache.hash("a")).isEqualTo(sha(new byte[] {1}));
    cache.save();
    HashCache again = HashCache.load(folder);
    assertThat(again.lookup("a", again.key("a"))).isEqualTo(sha(new byte[] {1}));
  }
}
