package p2psync.peer.v2;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import p2psync.common.FileNames;
import p2psync.common.RegularFile;
import p2psync.common.v2.Sha256;

/**
 * The SHA-256 of every file of a folder, computed once and kept in the folder's hidden state
 * ({@code .p2psync-state/hashes}) across restarts. An entry holds while the file's size, mtime (to
 * the nanosecond) and inode are those it was hashed at; any change means a rehash. A cache file
 * that is unreadable, corrupt or truncated is dropped as a whole and rebuilt: a hash is only worth
 * advertising when it is right.
 *
 * <p>Every method blocks; call them off the event loop. Safe for the two threads that use it (the
 * hasher and the workers that look hashes up).
 */
public final class HashCache {
  private static final Logger LOG = System.getLogger(HashCache.class.getName());
  private static final String HEADER = "p2psync-hashes 1";
  private static final int READ_BUFFER = 1 << 20;

  /** What identifies one version of a file on disk. */
  public record Key(long size, long mtimeNanos, String inode) {
    /** The mtime in whole seconds, as advertised. */
    public long mtimeSeconds() {
      return Math.floorDiv(mtimeNanos, 1_000_000_000L);
    }
  }

  private record Hashed(Key key, String sha256) {}

  private final Path root;
  private final Path file;
  private final Map<String, Hashed> entries = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  private HashCache(Path root) {
    this.root = root;
    this.file = root.resolve(FileNames.STATE_DIR).resolve("hashes");
  }

  /** The cache of the folder at {@code root}, read from its state file when there is a good one. */
  public static HashCache load(Path root) {
    HashCache cache = new HashCache(root);
    cache.read();
    return cache;
  }

  Path file() {
    return file;
  }

  private void read() {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Map<String, Hashed> read = new TreeMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      if (!HEADER.equals(in.readLine())) {
        throw new IOException("no header");
      }
      for (String line = in.readLine(); ; line = in.readLine()) {
        if (line == null) {
          throw new IOException("truncated: no end line");
        }
        if (line.startsWith("end ")) {
          if (Integer.parseInt(line.substring(4)) != read.size() || in.readLine() != null) {
            throw new IOException("entry count does not match");
          }
          break;
        }
        String[] f = line.split(" ", 5);
        if (f.length != 5 || !Sha256.isHex(f[0]) || !FileNames.isSyncable(f[4])) {
          throw new IOException("bad line: " + line);
        }
        read.put(f[4], new Hashed(new Key(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]), f[0]));
      }
      entries.putAll(read);
    } catch (IOException | RuntimeException e) {
      // Corrupt, truncated or unreadable: start afresh, and rewrite the file at the next save.
      LOG.log(Level.WARNING, "hash cache " + file + " is unusable, rebuilding it: " + e, e);
      entries.clear();
      dirty = true;
    }
  }

  /**
   * The current key of a syncable name, or null when no regular file holds it. Links are never
   * followed.
   */
  public Key key(String name) throws IOException {
    return keyOf(resolve(name));
  }

  /** The current key of a path, or null when it is not a regular file. Links are never followed. */
  public static Key keyOf(Path path) throws IOException {
    Map<String, Object> unix;
    try {
      // one stat for all four (reading the basic attributes and then the inode took two), for
      // every file at every advertisement
      unix = Files.readAttributes(path, UNIX_KEY, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      unix = null; // no unix view here
    } catch (NoSuchFileException e) {
      return null;
    }
    if (unix != null) {
      return Boolean.TRUE.equals(unix.get("isRegularFile"))
          ? new Key(
              (Long) unix.get("size"),
              ((FileTime) unix.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
              inodeId(unix.get("ino")))
          : null;
    }
    RegularFile file = RegularFile.read(path, "unix:ino");
    if (file == null) {
      return null;
    }
    // no unix view: the platform's file key, when it has one
    Object inode = file.unix() != null ? file.unix() : file.attrs().fileKey();
    return new Key(
        file.attrs().size(),
        file.attrs().lastModifiedTime().to(TimeUnit.NANOSECONDS),
        inodeId(inode));
  }

  private static final String UNIX_KEY = "unix:isRegularFile,size,lastModifiedTime,ino";

  /** An inode as one word of the cache file's line ("-": none). */
  private static String inodeId(Object inode) {
    if (inode == null) {
      return "-";
    }
    String id = inode.toString();
    // no regex on the common path: this runs for every file at every advertisement
    return id.chars().anyMatch(Character::isWhitespace) ? id.replaceAll("\\s", "_") : id;
  }

  /** The hash of the version {@code key} of a name, or null when not known for that version. */
  public String lookup(String name, Key key) {
    Hashed hashed = entries.get(name);
    return hashed != null && hashed.key().equals(key) ? hashed.sha256() : null;
  }

  /**
   * The hashes of the names not in {@code present} (gone since they were hashed), by the key they
   * were hashed at. A file that shows up under a new name with one of these keys (the same inode,
   * size and mtime to the nanosecond) is that file renamed or moved within the folder, and may take
   * its hash without being read again: the same trust as a look-up under its own name. Keys without
   * an inode are left out, where size and mtime alone could match another file.
   */
  public Map<Key, String> vanished(Set<String> present) {
    Map<Key, String> vanished = new HashMap<>();
    entries.forEach(
        (name, hashed) -> {
          if (!present.contains(name) && !"-".equals(hashed.key().inode())) {
            // two names of one inode (hard links) are one content: either hash will do
            vanished.putIfAbsent(hashed.key(), hashed.sha256());
          }
        });
    return vanished;
  }

  /**
   * Hashes a file, streaming it; records and returns the hash, or null when the file is gone or
   * changed while being read (the next scan tries again).
   */
  public String hash(String name) throws IOException {
    Key before = key(name);
    if (before == null) {
      return null;
    }
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = Files.newInputStream(resolve(name), LinkOption.NOFOLLOW_LINKS)) {
      // No bigger than the file: a 1 MiB buffer per 4 KiB file made hashing 10,000 small files
      // allocate 10 GB, and G1 grew the heap (and the peer's RSS) with the garbage.
      byte[] buffer = new byte[(int) Math.max(1, Math.min(READ_BUFFER, before.size() + 1))];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!before.equals(key(name))) {
      return null;
    }
    String sha = Sha256.hex(digest.digest());
    put(name, before, sha);
    return sha;
  }

  /** Records a hash known otherwise (a verified download). */
  public void put(String name, Key key, String sha256) {
    Hashed previous = entries.put(name, new Hashed(key, sha256));
    if (!new Hashed(key, sha256).equals(previous)) {
      dirty = true;
    }
  }

  /** Forgets names no longer in the folder. */
  public void retainOnly(Set<String> names) {
    if (entries.keySet().retainAll(names)) {
      dirty = true;
    }
  }

  /** Writes the cache if it changed: a temp file, fsynced, renamed over the old one. */
  public synchronized void save() throws IOException {
    if (!dirty) {
      return;
    }
    dirty = false;
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling("hashes.tmp");
    Map<String, Hashed> snapshot = new TreeMap<>(entries);
    try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      for (Map.Entry<String, Hashed> e : snapshot.entrySet()) {
        Key key = e.getValue().key();
        out.write(
            e.getValue().sha256()
                + " "
                + key.size()
                + " "
                + key.mtimeNanos()
                + " "
                + key.inode()
                + " "
                + e.getKey()
                + "\n");
      }
      out.write("end " + snapshot.size() + "\n");
    } catch (IOException e) {
      dirty = true;
      throw e;
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private Path resolve(String name) {
    if (!FileNames.isSyncable(name)) {
      throw new IllegalArgumentException("not a syncable name: " + name);
    }
    return root.resolve(name);
  }
}
