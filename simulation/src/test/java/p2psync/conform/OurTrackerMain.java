package p2psync.conform;

import io.vertx.core.Vertx;
import java.time.Duration;
import p2psync.simulation.Blocking;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * Our tracker as a program under test: {@code OurTrackerMain HOST PORT}, as {@code tracker.py HOST
 * PORT}. Runs until the kit stops it.
 */
public final class OurTrackerMain {
  private OurTrackerMain() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    TrackerVerticle tracker =
        new TrackerVerticle(
            new TrackerOptions().setHost(args[0]).setPort(Integer.parseInt(args[1])));
    Blocking.await(vertx.deployVerticle(tracker), Duration.ofSeconds(30));
    System.out.println("listening on " + args[0] + ":" + tracker.actualPort());
  }
}
