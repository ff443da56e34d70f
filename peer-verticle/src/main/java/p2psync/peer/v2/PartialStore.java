package p2psync.peer.v2;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import p2psync.common.FileNames;
import p2psync.common.v2.Sha256;

/**
 * Kept prefixes across restarts: a stopping v2 peer moves each kept prefix out of the folder into
 * {@code .p2psync-state/partials/ID.part} and writes {@code ID.state} beside it: the name, the
 * version (sha256, mtime), the prefix's length and the SHA-256 of the prefix itself. At start each
 * one is read back and verified (its length, then its bytes against that hash, which also rebuilds
 * the digest state the resume continues from); anything that does not verify (a corrupt or
 * truncated state file, a prefix cut short or changed, a data file without state) is deleted. The
 * folder itself never holds a partial file of a stopped peer.
 *
 * <p>Blocking: call from a worker.
 */
public final class PartialStore {
  private static final Logger LOG = System.getLogger(PartialStore.class.getName());
  private static final String MAGIC = "p2psync-partial 1";
  private static final String DATA = ".part";
  private static final String STATE = ".state";

  private final Path dir;

  public PartialStore(Path root) {
    this.dir = root.resolve(FileNames.STATE_DIR).resolve("partials");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Moves {@code partial}'s bytes into the store (unless they are there already) and records what
   * verifies them. The digest state is cloned, not spent.
   */
  public void save(String name, Partial partial) throws IOException {
    Files.createDirectories(dir);
    String id = UUID.randomUUID().toString();
    Path data = partial.path().getParent().equals(dir) ? partial.path() : dir.resolve(id + DATA);
    String base = data.getFileName().toString();
    base = base.substring(0, base.length() - DATA.length());
    String prefixSha;
    try {
      prefixSha = Sha256.hex(((MessageDigest) partial.digest().clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IOException("cannot keep the SHA-256 state of " + name, e);
    }
    if (!data.equals(partial.path())) {
      Files.move(partial.path(), data, StandardCopyOption.ATOMIC_MOVE);
    }
    String state =
        String.join(
            "\n",
            MAGIC,
            "sha256 " + partial.sha256(),
            "mtime " + partial.mtime(),
            "length " + partial.length(),
            "prefix-sha256 " + prefixSha,
            "resumed " + partial.resumed(),
            "name " + name,
            "end\n");
    Path temp = dir.resolve(base + STATE + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)));
      out.force(true);
    }
    Files.move(
        temp,
        dir.resolve(base + STATE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Every kept prefix that verifies, by name; the rest is deleted. The state files are deleted as
   * they are read: from now on the caller owns the data files (and saves them again at stop).
   */
  public Map<String, Partial> loadAll() throws IOException {
    Map<String, Partial> loaded = new HashMap<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return loaded;
    }
    try (DirectoryStream<Path> states = Files.newDirectoryStream(dir, "*" + STATE)) {
      for (Path state : states) {
        String base = state.getFileName().toString();
        Path data = dir.resolve(base.substring(0, base.length() - STATE.length()) + DATA);
        Loaded one;
        try {
          one = load(state, data);
        } catch (IOException | RuntimeException e) {
          LOG.log(
              Level.WARNING,
              "dropping the kept prefix " + data.getFileName() + ": " + e.getMessage(),
              e);
          Files.deleteIfExists(data);
          one = null;
        }
        Files.delete(state);
        if (one != null && loaded.putIfAbsent(one.name(), one.partial()) != null) {
          Files.deleteIfExists(data); // two prefixes of one name: the first found is kept
        }
      }
    }
    // Data without state (a crash between the move and the state file) and stale temp files.
    try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
      for (Path file : rest) {
        boolean kept = loaded.values().stream().anyMatch(p -> p.path().equals(file));
        if (!kept) {
          Files.deleteIfExists(file);
        }
      }
    }
    return loaded;
  }

  private record Loaded(String name, Partial partial) {}

  private static Loaded load(Path state, Path data) throws IOException {
    List<String> lines = Files.readAllLines(state, StandardCharsets.UTF_8);
    if (lines.size() != 8 || !lines.get(0).equals(MAGIC) || !lines.get(7).equals("end")) {
      throw new IOException("its state file is corrupt or truncated");
    }
    String sha256 = field(lines, 1, "sha256");
    long mtime = Long.parseLong(field(lines, 2, "mtime"));
    long length = Long.parseLong(field(lines, 3, "length"));
    String prefixSha = field(lines, 4, "prefix-sha256");
    boolean resumed = Boolean.parseBoolean(field(lines, 5, "resumed"));
    String name = field(lines, 6, "name");
    if (!Sha256.isHex(sha256) || !Sha256.isHex(prefixSha) || length <= 0) {
      throw new IOException("its state file is corrupt");
    }
    String reason = FileNames.rejectionReason(name);
    if (reason != null) {
      throw new IOException("its name " + reason);
    }
    long size = Files.size(data);
    if (size != length) {
      throw new IOException("it holds " + size + " bytes, its state says " + length);
    }
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = Files.newInputStream(data, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buffer = new byte[(int) Math.min(1 << 20, length)];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    MessageDigest check;
    try {
      check = (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IOException("cannot clone a SHA-256 state", e);
    }
    if (!Sha256.hex(check.digest()).equals(prefixSha)) {
      throw new IOException("its bytes changed since it was kept");
    }
    return new Loaded(name, new Partial(data, length, digest, sha256, mtime, resumed));
  }

  private static String field(List<String> lines, int index, String key) throws IOException {
    String line = lines.get(index);
    if (!line.startsWith(key + " ")) {
      throw new IOException("its state file has no " + key);
    }
    return line.substring(key.length() + 1);
  }
}
