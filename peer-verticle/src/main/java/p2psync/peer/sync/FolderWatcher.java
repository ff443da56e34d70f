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
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == OVERFLOW) {
            relevant = true; // events were lost: look at the whole folder
          } else if (event.context() instanceof Path changed
              && FileNames.isSyncable(changed.toString())) {
            relevant = true; // temp files and the hidden state are no change to advertise
          }
        }
        if (relevant) {
          context.runOnContext(v -> changed());
        }
        if (!key.reset()) {
          watching = false;
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
    }
  }

  /**
   * On the event loop: (re)arms the quiet-period timer; a folder that never falls quiet (a file
   * written for minutes) is still advertised every {@link #MAX_WAIT_DELAYS} delays.
   */
  private void changed() {
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
