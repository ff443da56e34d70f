package p2psync.peer;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import p2psync.common.DirectoryEntry;
import p2psync.common.SyncConfig;

/**
 * Runs the downloads a directory asks for: each name at most once at a time, at most
 * {@code maxConcurrentDownloads} at once, the rest queued (a queued name takes the newest source
 * the tracker named). A failed name is simply tried again on the next directory.
 */
final class Downloader {
  private final Vertx vertx;
  private final LocalFolder folder;
  private final SyncConfig config;
  private final NetClient client;
  private final Consumer<Download.Result> onDownloaded;
  private final Map<String, DirectoryEntry> queued = new LinkedHashMap<>();
  private final Set<String> running = new HashSet<>();
  private long completed;
  private long failed;
  private long bytes;

  Downloader(Vertx vertx, LocalFolder folder, SyncConfig config, Consumer<Download.Result> onDownloaded) {
    this.vertx = vertx;
    this.folder = folder;
    this.config = config;
    this.onDownloaded = onDownloaded;
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) config.getConnectTimeout().toMillis())
        .setTcpNoDelay(true));
  }

  /** Asks for {@code name} from {@code source}, unless it is already being fetched. */
  void request(String name, DirectoryEntry source) {
    if (!running.contains(name)) {
      queued.put(name, source);
      startQueued();
    }
  }

  long completedCount() {
    return completed;
  }

  long failedCount() {
    return failed;
  }

  long bytesReceived() {
    return bytes;
  }

  void close() {
    queued.clear();
    client.close();
  }

  private void startQueued() {
    var it = queued.entrySet().iterator();
    while (running.size() < config.getMaxConcurrentDownloads() && it.hasNext()) {
      Map.Entry<String, DirectoryEntry> next = it.next();
      it.remove();
      start(next.getKey(), next.getValue());
    }
  }

  private void start(String name, DirectoryEntry source) {
    running.add(name);
    new Download(vertx, client, folder, config, name, source).start()
        .onSuccess(result -> {
          completed++;
          bytes += result.bytes();
          PeerVerticle.LOG.log(Level.INFO, "downloaded " + name + " (" + result.bytes() + " bytes) from " + source.address());
          onDownloaded.accept(result);
        })
        .onFailure(e -> {
          failed++;
          PeerVerticle.LOG.log(Level.WARNING, "download of " + name + " from " + source.address() + " failed: " + e.getMessage());
        })
        .onComplete(ar -> {
          running.remove(name);
          startQueued();
        });
  }
}
