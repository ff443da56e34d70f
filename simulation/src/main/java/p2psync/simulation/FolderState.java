package p2psync.simulation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import p2psync.common.FileNames;

/**
 * What a synchronized folder holds, for comparing folders: each syncable regular file's size,
 * SHA-256 and mtime (seconds), plus any of our temp files found. Blocking: not for an event loop.
 */
public record FolderState(Map<String, FileState> files, int tempFiles) {

  /** One file's content and mtime. */
  public record FileState(long size, String sha256, long mtime) {}

  public static FolderState of(Path folder) throws IOException {
    Map<String, FileState> files = new TreeMap<>();
    int temps = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FileNames.isTempName(name)) {
          temps++;
          continue;
        }
        BasicFileAttributes attrs =
            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (FileNames.isSyncable(name) && attrs.isRegularFile()) {
          files.put(
              name,
              new FileState(
                  attrs.size(),
                  sha256(entry),
                  Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L)));
        }
      }
    }
    return new FolderState(files, temps);
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] chunk = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(chunk)) > 0; ) {
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
