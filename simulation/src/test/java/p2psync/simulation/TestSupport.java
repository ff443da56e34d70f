package p2psync.simulation;

import io.vertx.core.Future;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import p2psync.common.SyncConfig;

/** Shared bits of the end-to-end tests: shrunk timings and blocking waits for the test thread. */
final class TestSupport {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private TestSupport() {}

  /** Keepalives every 200 ms instead of 5 s, so that each "sync cycle" is short. */
  static SyncConfig fastConfig() {
    return new SyncConfig()
        .setKeepAliveInterval(Duration.ofMillis(200))
        .setConnectTimeout(Duration.ofSeconds(2))
        .setTransferIdleTimeout(Duration.ofSeconds(2))
        .setRequestTimeout(Duration.ofSeconds(2))
        .setReconnectBackoffMin(Duration.ofMillis(50))
        .setReconnectBackoffMax(Duration.ofMillis(400));
  }

  /** Waits on the test thread (never an event loop) for a Vert.x future. */
  static <T> T await(Future<T> future) {
    return Blocking.await(future, TIMEOUT);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static void setMtime(Path file, long seconds) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(seconds, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Puts {@code text} under {@code file} with the given mtime in one step, the way an editor that
   * saves through a temporary file does: written and dated beside the folder, then moved in. A
   * write followed by a separate setMtime would let the peer's rescan (every keepalive) or watcher
   * see the new content with the current time in between and advertise that version.
   */
  static void writeAt(Path file, String text, long mtimeSeconds) {
    try {
      Path staged = Files.createTempFile(file.getParent().getParent(), "staged-", ".tmp");
      Files.writeString(staged, text, StandardCharsets.UTF_8);
      setMtime(staged, mtimeSeconds);
      Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long mtime(Path file) {
    try {
      return Files.getLastModifiedTime(file).to(TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's size, or -1 while no file has that name. */
  static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1; // not there (yet)
    }
  }

  /** Sends one tracker message on a raw connection and returns the reply line. */
  static String ask(int port, String message) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
      return new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    }
  }
}
