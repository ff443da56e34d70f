package p2psync.simulation;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import p2psync.common.FileNames;

/**
 * Plays the simulated users' {@link EventPlan.Event}s on the folders, and keeps the books the sync
 * invariants need: every version ever written (the workload's and the events'), and which of them a
 * user destroyed while no other copy existed (an edit over, or a deletion of, the only copy): only
 * those may be missing at the end. A user writes as editors do, to a temp file renamed over the
 * name, so no torn file is ever under a real name. Blocking; runs on the fault thread.
 */
final class EventRunner {
  private static final int MAX_EDIT_BYTES = 16 * 1024;

  private final List<Path> folders;
  private final Set<Workload.Content> known = ConcurrentHashMap.newKeySet();
  private final Set<Workload.Content> destroyedByUser = ConcurrentHashMap.newKeySet();

  EventRunner(Workload workload, List<Path> folders, int peers) {
    this.folders = List.copyOf(folders);
    for (int i = 0; i < peers; i++) {
      workload.folder(i).values().forEach(v -> known.add(v.content()));
    }
  }

  /** Whether some user wrote this content at some point (else it is torn or invented). */
  boolean isKnown(Workload.Content content) {
    return known.contains(content);
  }

  /** The versions that must still exist somewhere at the end. */
  Set<Workload.Content> required() {
    Set<Workload.Content> required = ConcurrentHashMap.newKeySet();
    required.addAll(known);
    required.removeAll(destroyedByUser);
    return required;
  }

  void run(EventPlan.Event event) throws IOException {
    Random random = new Random(event.seed());
    Path folder = folders.get(event.peer());
    List<String> names = names(folder);
    String picked = names.isEmpty() ? null : names.get(random.nextInt(names.size()));
    long now = System.currentTimeMillis() / 1000;
    switch (event.kind()) {
      case EDIT ->
          write(folder, picked == null ? "edited " + event.id() + ".txt" : picked, random, now);
      case DELETE -> {
        if (picked != null) {
          Path file = folder.resolve(picked);
          userDestroys(file);
          Files.deleteIfExists(file);
        }
      }
      case CONCURRENT_EDIT -> {
        String name = picked == null ? "both " + event.id() + ".txt" : picked;
        write(folder, name, random, now);
        write(folders.get(event.other()), name, random, now);
      }
    }
  }

  private void write(Path folder, String name, Random random, long mtime) throws IOException {
    byte[] bytes = new byte[1 + random.nextInt(MAX_EDIT_BYTES)];
    random.nextBytes(bytes);
    known.add(new Workload.Content(bytes.length, Workload.sha256(bytes)));
    Path target = folder.resolve(name);
    Path temp = folder.resolve(FileNames.newTempName());
    Files.write(temp, bytes);
    Files.setLastModifiedTime(temp, FileTime.fromMillis(mtime * 1000));
    userDestroys(target);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The user is about to overwrite or delete {@code file}: was it the only copy of its content? */
  private void userDestroys(Path file) throws IOException {
    Workload.Content content = ConvergenceChecker.contentOrNull(file);
    if (content != null && !ConvergenceChecker.held(folders, content, file)) {
      destroyedByUser.add(content);
    }
  }

  private static List<String> names(Path folder) throws IOException {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FileNames.isSyncable(name) && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          names.add(name);
        }
      }
    }
    return new ArrayList<>(names);
  }
}
