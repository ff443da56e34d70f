package p2psync.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import p2psync.common.ConfigLoader;

/**
 * Deploys one long-running verticle, its deployment config loaded through vertx-config, then
 * keeps the process alive until it is interrupted (Ctrl-C undeploys cleanly).
 */
final class ServiceRunner {
  private ServiceRunner() {}

  /** Returns the exit code: 1 when the configuration or the deployment fails. */
  static int run(JsonObject base, Path configFile, Supplier<? extends Deployable> verticle) {
    Vertx vertx = Vertx.vertx();
    CountDownLatch stopped = new CountDownLatch(1);
    Future<String> deployed = ConfigLoader.load(vertx, base, configFile)
        .compose(config -> vertx.deployVerticle(verticle.get(), new DeploymentOptions().setConfig(config)));
    try {
      deployed.toCompletionStage().toCompletableFuture().join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("p2psync: " + cause.getMessage());
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
}
