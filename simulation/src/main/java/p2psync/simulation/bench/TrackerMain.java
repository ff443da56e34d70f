package p2psync.simulation.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import p2psync.common.SyncConfig;
import p2psync.simulation.Blocking;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * The tracker of the tracker benchmark, in a JVM of its own: deploys a {@link TrackerVerticle} on
 * 127.0.0.1 (any port), prints {@code PORT n}, and exits when its standard input closes, so it
 * never outlives the benchmark that started it. Logs warnings only.
 */
public final class TrackerMain {
  /**
   * The JVM options {@code ./p2psync} gives a tracker (keep the two in step; a test compares them),
   * so the benchmark measures the tracker as users run it. Why these: README, "Tracker memory".
   */
  public static final String LAUNCHER_JVM_OPTIONS = "-Xmx384m -XX:+ExitOnOutOfMemoryError";

  private TrackerMain() {}

  public static void main(String[] args) throws IOException {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    java.util.logging.ConsoleHandler handler = new java.util.logging.ConsoleHandler();
    handler.setLevel(Level.WARNING);
    root.addHandler(handler);
    SyncConfig config = new SyncConfig();
    if (args.length > 0) {
      config.setKeepAliveInterval(Duration.ofMillis(Long.parseLong(args[0])));
    }
    Vertx vertx = Vertx.vertx();
    TrackerVerticle tracker =
        new TrackerVerticle(new TrackerOptions().setHost("127.0.0.1").setPort(0).setSync(config));
    Blocking.await(vertx.deployVerticle(tracker), Duration.ofSeconds(30));
    System.out.println("PORT " + tracker.actualPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the benchmark to close our standard input
    }
    System.exit(0);
  }
}
