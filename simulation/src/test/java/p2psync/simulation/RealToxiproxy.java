package p2psync.simulation;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real Toxiproxy server binary, started on a free loopback port and stopped on {@link
 * #close()}, for tests that compare our embedded server with the genuine one. The binary is {@code
 * -Dtoxiproxy.server=PATH}, else {@code $TOXIPROXY_SERVER}, else {@code
 * <repo>/../shared/toxiproxy/toxiproxy-server}. Where it is missing or does not run, the calling
 * test is skipped (a JUnit assumption) with the reason; `.ci/run` prints it.
 */
public final class RealToxiproxy implements AutoCloseable {
  public static final String PROPERTY = "toxiproxy.server";
  public static final String ENVIRONMENT = "TOXIPROXY_SERVER";
  private static final System.Logger LOG = System.getLogger(RealToxiproxy.class.getName());

  private final Process process;
  private final int port;
  private final Path log;

  private RealToxiproxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Why the real server is not there to test against; the message is the skip reason. */
  public static final class Unavailable extends Exception {
    Unavailable(String reason, Throwable cause) {
      super("real Toxiproxy not tested: " + reason, cause, false, false);
    }
  }

  /**
   * Starts the binary, or aborts the calling test saying why it cannot. Call it from a test or a
   * {@code @BeforeEach}: an assumption failing in {@code @BeforeAll} skips a class without surefire
   * counting or reporting any test (see {@link #start()}).
   */
  public static RealToxiproxy startOrSkip() {
    try {
      return start();
    } catch (Unavailable unavailable) {
      assumeTrue(false, unavailable.getMessage());
      throw new IllegalStateException(unavailable); // unreachable: the assumption aborts
    }
  }

  /** Starts the binary, or says why it cannot. */
  public static RealToxiproxy start() throws Unavailable {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw unavailable(
          "no executable Toxiproxy server at "
              + binary
              + " (set -D"
              + PROPERTY
              + " or $"
              + ENVIRONMENT
              + " to one)",
          null);
    }
    int port;
    Process process;
    Path log;
    try {
      port = freePort();
      log = Files.createTempFile("toxiproxy-server-", ".log");
      process =
          new ProcessBuilder(binary.toString(), "-host", "127.0.0.1", "-port", String.valueOf(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw unavailable(binary + " does not run here: " + e, e);
    }
    RealToxiproxy server = new RealToxiproxy(process, port, log);
    try {
      Awaitility.await("Toxiproxy at " + server.url())
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !process.isAlive() || server.answers());
    } catch (ConditionTimeoutException e) {
      // falls through: reported below with the server's log
    }
    if (!process.isAlive() || !server.answers()) {
      String output = readQuietly(log);
      server.close();
      throw unavailable(binary + " did not start on 127.0.0.1:" + port + ": " + output, null);
    }
    LOG.log(System.Logger.Level.INFO, "real Toxiproxy {0} on {1}", binary, server.url());
    return server;
  }

  /** Where the binary is looked for; see the class comment. */
  public static Path binary() {
    String configured = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    Path dir = Path.of("").toAbsolutePath();
    // Surefire runs in the module's folder; the repository root is the one with .ci/run.
    while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
      dir = dir.getParent();
    }
    Path root = dir == null ? Path.of("").toAbsolutePath() : dir;
    return root.resolveSibling("shared").resolve("toxiproxy/toxiproxy-server").normalize();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Whether {@code GET /version} answers 200; not yet listening is a no. */
  private boolean answers() {
    try {
      HttpResponse<String> version =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url() + "/version"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return version.statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A port nothing listens on now (the server is told it; the OS cannot choose for it). */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Unavailable unavailable(String reason, Throwable cause) {
    Unavailable unavailable = new Unavailable(reason, cause);
    LOG.log(System.Logger.Level.WARNING, unavailable.getMessage());
    return unavailable;
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log).strip();
    } catch (IOException e) {
      return "(its log " + log + " is unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "left " + log + " behind", e);
    }
  }
}
