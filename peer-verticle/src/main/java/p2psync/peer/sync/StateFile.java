package p2psync.peer.sync;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A text file of the folder's hidden state: a header line, one line per record, {@code end COUNT}.
 * Written to a temp file, fsynced and renamed over the old one, so a crash leaves the old file or
 * the new one, never half of one; a file without its header or its end line is reported as corrupt,
 * never half read. Blocking.
 */
final class StateFile {
  private StateFile() {}

  /** The record lines, or null when there is no such file; throws when it is corrupt. */
  static List<String> read(Path file, String header) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      if (!header.equals(in.readLine())) {
        throw new IOException(file + ": no header " + header);
      }
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("end ")) {
          if (Long.parseLong(line.substring(4)) != lines.size() || in.readLine() != null) {
            throw new IOException(file + ": the count at its end does not match");
          }
          return lines;
        }
        lines.add(line);
      }
    } catch (NumberFormatException e) {
      throw new IOException(file + ": a bad end line", e);
    }
    throw new IOException(file + ": truncated (no end line)");
  }

  /** Replaces the file with these records, atomically. */
  static void write(Path file, String header, List<String> records) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      out.write(header);
      out.write('\n');
      for (String record : records) {
        out.write(record);
        out.write('\n');
      }
      out.write("end " + records.size() + "\n");
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
