package p2psync.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import p2psync.common.ConfigLoader;
import p2psync.common.SyncConfig;
import p2psync.tracker.cluster.ClusterNode;
import p2psync.tracker.cluster.ClusterOptions;

/**
 * Deploys one long-running verticle, its deployment config loaded through vertx-config, then
 * keeps the process alive until it is interrupted (Ctrl-C undeploys cleanly, and a cluster node
 * leaves its cluster).
 */
final class ServiceRunner {
  private ServiceRunner() {}

  /** Returns the exit code: 1 when the configuration or the deployment fails. */
  static int run(JsonObject base, Path configFile, Supplier<? extends Deployable> verticle) {
    Vertx vertx = Vertx.vertx();
    return serve(vertx, ConfigLoader.load(vertx, base, configFile).compose(config -> deploy(vertx, verticle.get(), config)));
  }

  /**
   * The same in a clustered Vert.x instance joined as {@link ClusterOptions} in the config say; the
   * verticle is made once the node has joined.
   */
  static int runClustered(JsonObject base, Path configFile, Function<ClusterNode, ? extends Deployable> verticle) {
    // The cluster settings are part of the config, which is read before the clustered instance exists.
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
    return serve(node.vertx(), deploy(node.vertx(), verticle.apply(node), config));
  }

  private static Future<String> deploy(Vertx vertx, Deployable verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config));
  }

  private static int serve(Vertx vertx, Future<String> deployed) {
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      join(deployed);
    } catch (Exception e) {
      System.err.println("p2psync: " + reason(e));
      vertx.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close().toCompletionStage().toCompletableFuture().join();
      stopped.countDown();
    }));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  private static String reason(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause.getMessage();
  }
}
