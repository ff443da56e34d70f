package p2psync.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import p2psync.common.ConfigLoader;
import p2psync.common.SyncConfig;
import p2psync.common.web.Metrics;
import p2psync.tracker.cluster.ClusterNode;
import p2psync.tracker.cluster.ClusterOptions;

/**
 * Deploys one long-running verticle, its deployment config loaded through vertx-config, then keeps
 * the process alive until it is interrupted. Ctrl-C or SIGTERM undeploys it cleanly (a peer fails
 * its running downloads and deletes their temp files; a cluster node leaves its cluster), waiting
 * at most {@code stopTimeout}.
 */
final class ServiceRunner {
  private ServiceRunner() {}

  /** Returns the exit code: 1 when the configuration or the deployment fails. */
  static int run(JsonObject base, Path configFile, Supplier<? extends Deployable> verticle) {
    // With Vert.x's own metrics on, for /metrics when httpPort is set (a few counters otherwise).
    Vertx vertx = Metrics.vertx();
    Future<JsonObject> config = ConfigLoader.load(vertx, base, configFile);
    return serve(vertx, config, config.compose(json -> deploy(vertx, verticle.get(), json)));
  }

  /**
   * The same in a clustered Vert.x instance joined as {@link ClusterOptions} in the config say; the
   * verticle is made once the node has joined.
   */
  static int runClustered(
      JsonObject base, Path configFile, Function<ClusterNode, ? extends Deployable> verticle) {
    // The cluster settings are part of the config, which is read before the clustered instance
    // exists.
    Vertx loader = Vertx.vertx();
    JsonObject config;
    ClusterNode node;
    try {
      try {
        config = join(ConfigLoader.load(loader, base, configFile));
      } finally {
        loader.close();
      }
      node = join(ClusterNode.start(new ClusterOptions(config), new SyncConfig(config)));
    } catch (Exception e) {
      System.err.println("p2psync: " + reason(e));
      return 1;
    }
    return serve(
        node.vertx(),
        Future.succeededFuture(config),
        deploy(node.vertx(), verticle.apply(node), config));
  }

  private static Future<String> deploy(Vertx vertx, Deployable verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config));
  }

  private static int serve(Vertx vertx, Future<JsonObject> config, Future<String> deployed) {
    CountDownLatch stopped = new CountDownLatch(1);
    Duration stopTimeout;
    try {
      join(deployed);
      stopTimeout = new SyncConfig(config.result()).getStopTimeout();
    } catch (Exception e) {
      System.err.println("p2psync: " + reason(e));
      vertx.close();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop(vertx, stopTimeout);
                  stopped.countDown();
                },
                "p2psync-stop"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Closing Vert.x undeploys the verticle and waits for its stop; a stop that hangs must not keep
   * the process.
   */
  private static void stop(Vertx vertx, Duration timeout) {
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      System.err.println(
          "p2psync: not stopped cleanly within " + timeout + " (stopTimeout); exiting anyway");
    } catch (ExecutionException e) {
      System.err.println("p2psync: stopping failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  private static String reason(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause.getMessage();
  }
}
