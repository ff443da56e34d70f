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

  /**
   * With workload events (edits, deletions), the sync invariants: the versions known are those any
   * user wrote, a file may hold any of them under any name (a conflict copy), the folders must end
   * identical, and no version may be lost but those a user destroyed; null: the workload's winners
   * are the expected end.
   */
  private final EventRunner events;

  /** Per folder, what the last sample saw: name to size, hash and mtime. */
  private final Map<Path, Map<String, FolderState.FileState>> seen = new HashMap<>();

  private final Path root;
  private final Map<Seen, Workload.Content> hashed = new HashMap<>();
  private final Set<String> violations = new LinkedHashSet<>();

  ConvergenceChecker(Workload workload, Path root) {
    this(workload, null, root);
  }

  ConvergenceChecker(Workload workload, EventRunner events, Path root) {
    this.workload = workload;
    this.events = events;
    this.root = root;
  }

  /** With events: whether the folders all look the same as the first at their last sample. */
  synchronized boolean sameAtLastSample(List<Path> folders) {
    Map<String, FolderState.FileState> first = seen.get(folders.get(0));
    return first != null && folders.stream().allMatch(f -> first.equals(seen.get(f)));
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
    Map<String, FolderState.FileState> files = new HashMap<>();
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
          } else if (events == null ? !workload.isKnown(name, content) : !events.isKnown(content)) {
            violations.add(
                folder.getFileName()
                    + ": '"
                    + name
                    + "' holds no version of that name ("
                    + content.size()
                    + " bytes, sha256 "
                    + content.sha256().substring(0, 12)
                    + "): a partial or mixed file");
          } else if (events != null) {
            files.put(
                name,
                new FolderState.FileState(
                    content.size(),
                    content.sha256(),
                    Math.floorDiv(attrs.lastModifiedTime().toMillis(), 1000L)));
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
    if (events != null) {
      seen.put(folder, converged && files.size() == names.size() ? files : null);
      return converged;
    }
    return converged && names.equals(workload.winners().keySet());
  }

  /** Size and SHA-256 of a regular file, or null when there is none by that name. */
  static Workload.Content contentOrNull(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      return hash(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Whether some file other than {@code except}, in a folder or its trash, holds {@code content}: a
   * current file, a conflict copy or a trashed one.
   */
  static boolean held(List<Path> folders, Workload.Content content, Path except)
      throws IOException {
    for (Path folder : folders) {
      List<Path> files = new ArrayList<>();
      collect(folder, files, false);
      collect(folder.resolve(FileNames.STATE_DIR).resolve("trash"), files, true);
      for (Path file : files) {
        if (file.equals(except)) {
          continue;
        }
        try {
          if (Files.size(file) == content.size() && content.equals(hash(file))) {
            return true;
          }
        } catch (NoSuchFileException e) {
          // moved meanwhile (into a trash, say): looked at where it went, or not at all
        }
      }
    }
    return false;
  }

  /**
   * The files under {@code dir} that hold versions: in a peer's folder the regular files with
   * syncable names; in a trash ({@code all}) every regular file at any depth. None when {@code dir}
   * does not exist.
   */
  private static void collect(Path dir, List<Path> into, boolean all) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          if (all || FileNames.isSyncable(entry.getFileName().toString())) {
            into.add(entry);
          }
        } else if (all && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          collect(entry, into, true);
        }
      }
    }
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
   * A v2 peer's hidden state: regular files (hash cache, sync state, peer id), the trash, a folder
   * of folders of regular files, and the kept prefixes of a peer that stopped mid-download ({@code
   * partials}, a folder of regular files); nothing else (no link, no other kind of file).
   */
  private static void checkStateDir(Path folder, Path state, List<String> problems)
      throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(state)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        boolean inState = entry.getParent().getParent().equals(folder);
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
            && (inState && (name.equals("trash") || name.equals("partials"))
                || entry.getParent().getFileName().toString().equals("trash"))) {
          checkStateDir(folder, entry, problems);
        } else if (isThereAndNotRegular(entry)) {
          problems.add(folder.getFileName() + ": not a regular file: " + folder.relativize(entry));
        }
      }
    } catch (NoSuchFileException e) {
      // a trash entry purged while listed: nothing there to judge
    }
  }

  /**
   * Whether {@code entry} is there and is no regular file (a folder, a link, a device). One gone
   * since it was listed is none: the peers run on while the folders are checked, and a save of
   * their state renames its temp file ({@code .p2psync-state/sync.tmp}) over the state at any time.
   */
  private static boolean isThereAndNotRegular(Path entry) throws IOException {
    try {
      return !Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .isRegularFile();
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * After the run: each of {@code expected} holds exactly the winners with their mtimes and no temp
   * file (with events: the same files as each other, and no version lost), every folder ({@code
   * all}) holds only regular files and its hidden state, and the root holds nothing but the
   * folders. Returns the problems found, and keeps them with the samples' ones.
   */
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
          } else if (isThereAndNotRegular(entry)) {
            problems.add(folder.getFileName() + ": not a regular file: " + entry.getFileName());
          }
        }
      }
    }
    if (events != null) {
      syncCheck(expected, all, problems);
      violations.addAll(problems);
      return problems;
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

  /**
   * With events: the expected folders are identical (names, contents, mtimes) with no temp file,
   * and every version ever written is somewhere (a current file, a conflict copy, a trash) unless a
   * user destroyed its only copy.
   */
  private void syncCheck(List<Path> expected, List<Path> all, List<String> problems)
      throws IOException {
    Map<String, FolderState.FileState> first = null;
    for (Path folder : expected) {
      FolderState state = FolderState.of(folder);
      if (state.tempFiles() > 0) {
        problems.add(folder.getFileName() + ": " + state.tempFiles() + " temp file(s) left");
      }
      if (first == null) {
        first = state.files();
      } else if (!state.files().equals(first)) {
        problems.add(
            folder.getFileName()
                + " differs from "
                + expected.get(0).getFileName()
                + ": "
                + difference(first, state.files()));
      }
    }
    for (Workload.Content version : events.required()) {
      if (!held(all, version, null)) {
        problems.add(
            "a version was lost: "
                + version.size()
                + " bytes, sha256 "
                + version.sha256().substring(0, 12)
                + " is in no folder, conflict copy or trash");
      }
    }
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
