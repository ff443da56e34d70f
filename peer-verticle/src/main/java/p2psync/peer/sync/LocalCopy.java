package p2psync.peer.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileNames;
import p2psync.common.v2.Sha256;

/**
 * A wanted version whose content is already in the folder (under another name) or in the trash is
 * copied from there instead of fetched. Streamed into a hidden temp file and hashed as it is read
 * (the source may have changed since it was hashed); only a copy with the wanted hash is given the
 * directory's mtime and renamed into place, after the local file makes way ({@link Displacer}), as
 * a download's last step does. Blocking.
 */
final class LocalCopy {
  private static final Logger LOG = System.getLogger(LocalCopy.class.getName());

  private LocalCopy() {}

  /** Whether the version is now in place. */
  static boolean copy(
      Path root,
      String name,
      DirectoryEntry entry,
      List<Path> candidates,
      Trash trash,
      Displacer displacer)
      throws IOException {
    String sha = entry.v2().sha256();
    List<Path> sources = new ArrayList<>(candidates);
    sources.add(null); // then the trash, looked up only now: a candidate may have moved there
    for (Path candidate : sources) {
      Path source = candidate != null ? candidate : trash.find(sha);
      if (source == null) {
        break;
      }
      Path temp = root.resolve(FileNames.newTempName());
      try {
        boolean verified;
        try {
          verified = copyVerified(source, temp, sha);
        } catch (NoSuchFileException gone) {
          continue; // moved meanwhile (to the trash, by a tombstone): the next source, or the trash
        }
        if (verified) {
          Files.setLastModifiedTime(temp, FileTime.fromMillis(entry.mtime() * 1000));
          Path target = root.resolve(name);
          displacer.displace(name, target);
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          LOG.log(
              Level.INFO, "copied " + name + " from " + root.relativize(source) + ", no transfer");
          return true;
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    return false;
  }

  private static boolean copyVerified(Path source, Path temp, String sha) throws IOException {
    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest);
        OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW)) {
      in.transferTo(out);
    }
    try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    return Sha256.hex(digest.digest()).equals(sha);
  }
}
