package p2psync.peer.sync;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import p2psync.common.FileNames;

/**
 * Watches the synchronized folder and runs an action on the owner's event loop once a burst of
 * changes to syncable names has been quiet for {@code delay}: a change is advertised at once rather
 * than at the next keepalive. Watching may miss changes (an overflow, a file system that does not
 * report them, a network share): the rescan every {@code rescanInterval} stays the safety net, so a
 * missed event costs at most that long, never a change; while this watcher is not watching ({@link
 * #isWatching}), every keepalive rescans.
 *
 * <p>{@link WatchService#take()} blocks for as long as nothing happens, so it runs on a daemon
 * thread of its own, never on a worker of the pool (it would hold one forever). Start and close
 * from the owner's context.
 */
public final class FolderWatcher {
  private static final Logger LOG = System.getLogger(FolderWatcher.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final Path root;
  private final long delayMillis;
  private final Runnable onChange;
  private WatchService service;
  private Thread thread;
  private long timer = -1;
  private long burstStartNanos;

  /** A burst of changes is advertised after at most this many delays, quiet or not. */
  private static final int MAX_WAIT_DELAYS = 5;

  private boolean closed;

  /** The watch thread runs and its key is valid: changes are seen as they happen. */
  private volatile boolean watching;

  /** Syncable names changed since the last {@link #takeChanged} (event loop). */
  private Set<String> changedNames = new HashSet<>();

  /**
   * Since the last {@link #takeChanged}, changes may have gone unseen: not watching yet, an
   * overflow, the watch ended (event loop).
   */
  private boolean gap = true;

  /**
   * @param onChange run on {@code context} after a quiet {@code delay} following changes
   */
  public FolderWatcher(Vertx vertx, Context context, Path root, Duration delay, Runnable onChange) {
    this.vertx = vertx;
    this.context = context;
    this.root = root;
    this.delayMillis = Math.max(1, delay.toMillis());
    this.onChange = onChange;
  }

  /**
   * Starts watching; a folder that cannot be watched is logged and left to the rescans (the peer
   * works as before, only slower to notice).
   */
  public void start() {
    try {
      service = root.getFileSystem().newWatchService();
      root.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(
          Level.WARNING,
          "cannot watch " + root + " (changes are seen at each keepalive's rescan): " + e,
          e);
      closeService();
      return;
    }
    watching = true;
    thread = new Thread(this::run, "p2psync-watch-" + root.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether changes are being seen as they happen (else only rescans see them). */
  public boolean isWatching() {
    return watching && !closed;
  }

  /**
   * On the event loop: the syncable names the watcher saw change since the last call, or null when
   * it cannot tell (it was not watching all along, or events were lost): then only a look at the
   * whole folder knows. A change is reported here after it happened, so a look at a name started
   * after this call sees at least what this call returned, and anything later comes with the next.
   */
  public Set<String> takeChanged() {
    Set<String> taken = gap ? null : changedNames;
    changedNames = new HashSet<>();
    gap = !isWatching();
    return taken;
  }

  /** Stops watching; the thread ends at its next wake-up, which closing the service causes. */
  public void close() {
    closed = true;
    watching = false;
    vertx.cancelTimer(timer);
    closeService();
  }

  private void closeService() {
    if (service != null) {
      try {
        service.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing the watch service of " + root + " failed: " + e, e);
      }
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        boolean lost = false;
        Set<String> names = new HashSet<>();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == OVERFLOW) {
            lost = true; // events were lost: look at the whole folder
          } else if (event.context() instanceof Path changed
              && FileNames.isSyncable(changed.toString())) {
            names.add(changed.toString()); // temp files and the hidden state are no change
          }
        }
        if (lost || !names.isEmpty()) {
          boolean lostEvents = lost;
          context.runOnContext(v -> changed(names, lostEvents));
        }
        if (!key.reset()) {
          watching = false;
          context.runOnContext(v -> gap = true);
          LOG.log(
              Level.WARNING,
              root + " can no longer be watched; changes are seen at each keepalive's rescan");
          return;
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: the peer stops
    } finally {
      watching = false;
      context.runOnContext(v -> gap = true);
    }
  }

  /**
   * On the event loop: (re)arms the quiet-period timer; a folder that never falls quiet (a file
   * written for minutes) is still advertised every {@link #MAX_WAIT_DELAYS} delays.
   */
  private void changed(Set<String> names, boolean lost) {
    changedNames.addAll(names);
    gap |= lost;
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (timer >= 0) {
      if (now - burstStartNanos >= MAX_WAIT_DELAYS * delayMillis * 1_000_000L) {
        return; // let the armed timer fire
      }
      vertx.cancelTimer(timer);
    } else {
      burstStartNanos = now;
    }
    timer =
        vertx.setTimer(
            delayMillis,
            t -> {
              timer = -1;
              if (!closed) {
                onChange.run();
              }
            });
  }
}
