package p2psync.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One look at a regular file, links never followed, with one attribute of the unix view (ctime,
 * inode) where the platform has it. Blocking.
 *
 * @param unix the attribute asked for, or null where there is no unix view
 */
public record RegularFile(BasicFileAttributes attrs, Object unix) {

  /**
   * The file at {@code path}, or null when there is none: no such name, or a folder, a link or
   * another non-regular file holds it. Throws when the file system fails (permission denied, an I/O
   * error), which is not the same as a missing file.
   */
  public static RegularFile read(Path path, String unixAttribute) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!attrs.isRegularFile()) {
      return null;
    }
    Object unix = null;
    try {
      unix = Files.getAttribute(path, unixAttribute, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view here: the caller does with the basic attributes
    } catch (NoSuchFileException e) {
      return null; // removed just now
    }
    return new RegularFile(attrs, unix);
  }
}
