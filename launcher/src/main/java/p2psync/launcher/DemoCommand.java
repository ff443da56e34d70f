package p2psync.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import p2psync.common.SyncConfig;
import p2psync.peer.PeerOptions;
import p2psync.simulation.Blocking;
import p2psync.simulation.FolderState;
import p2psync.simulation.Swarm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code p2psync demo}: the seed report's TC3 in one process: a tracker, three peers, three files.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run a tracker and three peers in temp folders until their folders are identical.",
      "The peers start with fileA.txt, fileB.txt and fileC.txt, one each (the seed report's TC3).",
      "Exits 0 once all three folders are identical, 1 when they are not by --timeout."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Give up when the folders are not identical by then (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--keep",
      description = "Keep the temp folders instead of deleting them at the end.")
  boolean keep;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also print debug lines.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Duration limit = timeout;
    ConsoleLogging.configure(verbose);
    Path root = Files.createTempDirectory("p2psync-demo-");
    Vertx vertx = Vertx.vertx();
    Swarm swarm = new Swarm(vertx, root, new SyncConfig());
    try {
      System.out.println("== p2psync demo in " + root);
      int trackerPort = await(swarm.startTracker(0));
      System.out.println("== tracker on 127.0.0.1:" + trackerPort);
      for (String[] peer :
          new String[][] {{"Peer1", "fileA.txt"}, {"Peer2", "fileB.txt"}, {"Peer3", "fileC.txt"}}) {
        byte[] content =
            ("This is " + peer[1] + ", first held by " + peer[0] + ".\n")
                .getBytes(StandardCharsets.UTF_8);
        swarm
            .addPeer(peer[0], Map.of(peer[1], content))
            .options()
            .setPort(PeerOptions.FIRST_FREE_PORT);
      }
      await(swarm.startAll());
      try {
        Blocking.waitFor(
            () -> holdsAllThree(swarm), Duration.ofMillis(50), limit, "identical folders");
      } catch (IllegalStateException timedOut) {
        System.out.println("== NOT converged within " + limit + ":");
        printFolders(swarm);
        return 1;
      }
      System.out.println("== converged: all three folders are identical");
      printFolders(swarm);
      return 0;
    } finally {
      await(swarm.stopAll());
      await(vertx.close());
      if (keep) {
        System.out.println("== folders kept in " + root);
      } else {
        Blocking.deleteTree(root);
      }
    }
  }

  /** Every folder identical, with the three files. Blocking. */
  private static boolean holdsAllThree(Swarm swarm) {
    try {
      return swarm.isConverged()
          && swarm.folderStates().values().iterator().next().files().size() == 3;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void printFolders(Swarm swarm) throws IOException {
    for (Map.Entry<String, FolderState> folder : swarm.folderStates().entrySet()) {
      System.out.println(folder.getKey() + ":");
      folder
          .getValue()
          .files()
          .forEach(
              (name, file) ->
                  System.out.printf(
                      "  %-12s %6d bytes  mtime %d  sha256 %s%n",
                      name, file.size(), file.mtime(), file.sha256().substring(0, 16)));
      if (folder.getValue().tempFiles() > 0) {
        System.out.println("  (" + folder.getValue().tempFiles() + " download(s) in progress)");
      }
    }
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, Duration.ofSeconds(60));
  }
}
