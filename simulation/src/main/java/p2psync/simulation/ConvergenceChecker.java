package p2psync.simulation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import p2psync.common.FileNames;

/**
 * Judges peers' folders against a {@link Workload}. While the run goes, {@link #sample} looks at a
 * folder as it is at that moment: any file under a real name must be one of the versions of that
 * name, never a partial or mixed file. At the end, {@link #finalCheck} wants every folder to hold
 * exactly the expected winners (names, sizes, SHA-256, mtimes), no temp file, and nothing else
 * under the root. Blocking file I/O: never on an event loop.
 */
final class ConvergenceChecker {
  /** A file as seen at one moment; its content is hashed once per distinct key. */
  private record Seen(String folder, String name, Object fileKey, long size, long mtimeMillis) {}

  private final Workload workload;
  private final Path root;
  private final Map<Seen, Workload.Content> hashed = new HashMap<>();
  private final Set<String> violations = new LinkedHashSet<>();

  ConvergenceChecker(Workload workload, Path root) {
    this.workload = workload;
    this.root = root;
  }

  /**
   * Looks at {@code folder} now; records any file under a real name that is no version of it.
   * Returns whether the folder holds exactly the winners and no temp file.
   */
  synchronized boolean sample(Path folder) throws IOException {
    return sample(folder, false);
  }

  /**
   * As {@link #sample(Path)}; for an {@code external} program's folder, whose temp names we do not
   * know, a name that is no name of the workload counts as a download in flight (and at the end, as
   * a left-over file), never as a partial file under a real name.
   */
  synchronized boolean sample(Path folder, boolean external) throws IOException {
    boolean converged = true;
    Set<String> names = new LinkedHashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FileNames.isTempName(name) || (external && !workload.winners().containsKey(name))) {
          converged = false; // a download in flight
          continue;
        }
        if (name.equals(FileNames.STATE_DIR)) {
          continue; // a v2 peer's hidden state (its hash cache): never synced
        }
        names.add(name);
        Workload.Version winner = workload.winners().get(name);
        try {
          BasicFileAttributes attrs =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!attrs.isRegularFile()) {
            violations.add(folder.getFileName() + ": '" + name + "' is not a regular file");
            continue;
          }
          Workload.Content content = contentOf(folder, entry, attrs);
          if (content == null) {
            converged = false; // replaced while read: judged at the next sample
          } else if (!workload.isKnown(name, content)) {
            violations.add(
                folder.getFileName()
                    + ": '"
                    + name
                    + "' holds no version of that name ("
                    + content.size()
                    + " bytes, sha256 "
                    + content.sha256().substring(0, 12)
                    + "): a partial or mixed file");
          } else if (winner == null
              || !winner.content().equals(content)
              || Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L) != winner.mtime()) {
            converged = false;
          }
        } catch (NoSuchFileException e) {
          converged = false; // renamed or deleted meanwhile
        }
      }
    }
    return converged && names.equals(workload.winners().keySet());
  }

  /** The content of {@code entry}, or null when another file took its name while it was read. */
  private Workload.Content contentOf(Path folder, Path entry, BasicFileAttributes before)
      throws IOException {
    Seen seen =
        new Seen(
            folder.getFileName().toString(),
            entry.getFileName().toString(),
            before.fileKey(),
            before.size(),
            before.lastModifiedTime().toMillis());
    Workload.Content known = hashed.get(seen);
    if (known != null) {
      return known;
    }
    Workload.Content content = hash(entry);
    if (before.fileKey() == null) {
      return content; // no inode to tell files apart by: hashed at every sample
    }
    Object after =
        Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    if (!before.fileKey().equals(after)) {
      return null;
    }
    hashed.put(seen, content);
    return content;
  }

  /** Size and SHA-256 of what one open of the file reads: one file, even if the name moves on. */
  private static Workload.Content hash(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long size = 0;
    byte[] chunk = new byte[64 * 1024];
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      for (int n; (n = in.read(chunk)) > 0; ) {
        size += n;
      }
    }
    return new Workload.Content(size, HexFormat.of().formatHex(digest.digest()));
  }

  /** Problems seen in the samples so far. */
  synchronized List<String> violations() {
    return new ArrayList<>(violations);
  }

  /**
   * After the run: each of {@code expected} holds exactly the winners with their mtimes and no temp
   * file, every folder ({@code all}) holds only regular files, and the root holds nothing but the
   * folders. Returns the problems found, and keeps them with the samples' ones.
   */
  /** A v2 peer's hidden state: a folder of regular files (its hash cache), nothing else. */
  private static void checkStateDir(Path folder, Path state, List<String> problems)
      throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(state)) {
      for (Path entry : entries) {
        if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          problems.add(folder.getFileName() + ": not a regular file: " + folder.relativize(entry));
        }
      }
    }
  }

  synchronized List<String> finalCheck(List<Path> expected, List<Path> all) throws IOException {
    List<String> problems = new ArrayList<>();
    Set<Path> folders = new LinkedHashSet<>(all);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        if (!folders.contains(entry)) {
          problems.add("outside the peers' folders: " + root.relativize(entry));
        }
      }
    }
    for (Path folder : all) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
        for (Path entry : entries) {
          if (entry.getFileName().toString().equals(FileNames.STATE_DIR)
              && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            checkStateDir(folder, entry, problems);
          } else if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(folder.getFileName() + ": not a regular file: " + entry.getFileName());
          }
        }
      }
    }
    for (Path folder : expected) {
      FolderState state = FolderState.of(folder);
      if (state.tempFiles() > 0) {
        problems.add(folder.getFileName() + ": " + state.tempFiles() + " temp file(s) left");
      }
      Map<String, FolderState.FileState> want = new HashMap<>();
      workload
          .winners()
          .forEach(
              (name, v) ->
                  want.put(
                      name,
                      new FolderState.FileState(
                          v.content().size(), v.content().sha256(), v.mtime())));
      if (!state.files().equals(want)) {
        problems.add(folder.getFileName() + ": " + difference(want, state.files()));
      }
    }
    violations.addAll(problems);
    return problems;
  }

  private static String difference(
      Map<String, FolderState.FileState> want, Map<String, FolderState.FileState> got) {
    List<String> parts = new ArrayList<>();
    want.forEach(
        (name, file) -> {
          FolderState.FileState have = got.get(name);
          if (have == null) {
            parts.add("missing '" + name + "'");
          } else if (!have.equals(file)) {
            parts.add(
                "'"
                    + name
                    + "' is not the newest version ("
                    + have.size()
                    + " bytes, mtime "
                    + have.mtime()
                    + "; want "
                    + file.size()
                    + " bytes, mtime "
                    + file.mtime()
                    + ")");
          }
        });
    got.keySet().stream()
        .filter(name -> !want.containsKey(name))
        .forEach(name -> parts.add("unexpected '" + name + "'"));
    return String.join(", ", parts);
  }
}
