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
import java.util.function.Supplier;
import p2psync.common.ConfigLoader;
import p2psync.common.SyncConfig;

/**
 * Deploys one long-running verticle, its deployment config loaded through vertx-config, then keeps
 * the process alive until it is interrupted. Ctrl-C or SIGTERM undeploys it cleanly (a peer fails
 * its running downloads and deletes their temp files), waiting at most {@code stopTimeout}.
 */
final class ServiceRunner {
  private ServiceRunner() {}

  /** Returns the exit code: 1 when the configuration or the deployment fails. */
  static int run(JsonObject base, Path configFile, Supplier<? extends Deployable> verticle) {
    Vertx vertx = Vertx.vertx();
    CountDownLatch stopped = new CountDownLatch(1);
    Future<JsonObject> config = ConfigLoader.load(vertx, base, configFile);
    Future<String> deployed =
        config.compose(
            json -> vertx.deployVerticle(verticle.get(), new DeploymentOptions().setConfig(json)));
    Duration stopTimeout;
    try {
      deployed.toCompletionStage().toCompletableFuture().join();
      stopTimeout = new SyncConfig(config.result()).getStopTimeout();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("p2psync: " + cause.getMessage());
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
}
