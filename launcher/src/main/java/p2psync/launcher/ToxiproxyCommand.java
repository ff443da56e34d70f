package p2psync.launcher;

import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import p2psync.simulation.toxiproxy.EmbeddedToxiproxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code p2psync toxiproxy}: the embedded Toxiproxy on its own, for any Toxiproxy client. */
@Command(
    name = "toxiproxy",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded Toxiproxy (Toxiproxy 2.12's HTTP API) until interrupted.",
      "Any Toxiproxy client (toxiproxy-cli, toxiproxy-java, ...) can drive it, and",
      "'p2psync simulate --toxiproxy http://HOST:PORT' can use it."
    })
final class ToxiproxyCommand implements Callable<Integer> {
  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Address the API listens on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8474",
      description = "API port, 0 for any free one (default: ${DEFAULT-VALUE}, Toxiproxy's).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    EmbeddedToxiproxy toxiproxy;
    try {
      toxiproxy =
          EmbeddedToxiproxy.start(vertx, host, port)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println(
          "p2psync: cannot start Toxiproxy on " + host + ":" + port + ": " + cause.getMessage());
      vertx.close();
      return 1;
    }
    System.out.println("Toxiproxy API listening on " + host + ":" + toxiproxy.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  vertx.close().toCompletionStage().toCompletableFuture().join();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
