package p2psync.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static p2psync.simulation.TestSupport.await;
import static p2psync.simulation.TestSupport.bytes;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The tracker's dashboard in a real browser (headless Chromium through chromedriver): it lists the
 * peers, draws the names x peers grid, and redraws it, without a reload, when a peer gains a file.
 * Skipped, with the reason, where Chromium or chromedriver is missing ({@code .ci/run} installs
 * Debian's {@code chromium} and {@code chromium-driver}).
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path root;
  @TempDir Path profile;

  @Test
  void dashboardShowsThePeersAndTheGridAndFollowsChangesLive(Vertx vertx) throws Exception {
    File chromium = executable("CHROME_BIN", "/usr/bin/chromium", "/usr/bin/chromium-browser");
    File chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
    Assumptions.assumeTrue(
        chromium != null && chromedriver != null,
        "no Chromium or chromedriver here (apt-get install chromium chromium-driver; or set"
            + " CHROME_BIN and CHROMEDRIVER): the dashboard's browser test is skipped");

    Swarm swarm = new Swarm(vertx, root, TestSupport.fastConfig()).setTrackerHttpPort(0);
    await(swarm.startTracker(0));
    swarm.addPeer("Peer1", Map.of("alpha.txt", bytes("alpha")));
    swarm.addPeer("Peer2", Map.of("beta.txt", bytes("beta")));
    swarm.addPeer("Peer3", Map.of("gamma.txt", bytes("gamma")));
    await(swarm.startAll());
    await().atMost(TestSupport.TIMEOUT).until(swarm::isConverged);
    String url = "http://127.0.0.1:" + swarm.tracker().httpPort() + "/";

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver)
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        "--user-data-dir=" + profile);
    WebDriver browser = new ChromeDriver(service, options);
    try {
      browser.get(url);
      WebDriverWait wait = new WebDriverWait(browser, WAIT);
      wait.until(b -> b.findElements(By.cssSelector("#peers tbody tr")).size() == 3);
      for (Swarm.Peer peer : swarm.peers()) {
        String address = "127.0.0.1:" + peer.verticle().advertisedPort();
        assertThat(browser.findElements(By.cssSelector("#peers tr[data-peer='" + address + "']")))
            .hasSize(1);
      }
      wait.until(
          b -> states(b, null).size() == 9 && states(b, null).stream().allMatch("current"::equals));
      assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live");

      // A mark that a reload would wipe out: the page must change under it, not be replaced.
      ((JavascriptExecutor) browser).executeScript("window.stillTheSamePage = true;");
      Files.write(swarm.peer("Peer2").folder().resolve("delta.txt"), bytes("delta"));
      wait.until(b -> states(b, "delta.txt").size() == 3);
      // Taken as the new name shows up: the peers that lack it yet show as missing.
      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      wait.until(b -> states(b, "delta.txt").stream().allMatch("current"::equals));
      assertThat(((JavascriptExecutor) browser).executeScript("return window.stillTheSamePage"))
          .isEqualTo(true);
      assertThat(browser.findElement(By.id("names")).getText()).contains("delta.txt");
      assertThat(browser.findElement(By.id("events")).getText()).contains("advertised");

      Path target = Path.of("target", "dashboard.png");
      Files.createDirectories(target.getParent());
      Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
      String docs = System.getProperty("p2psync.dashboardScreenshot");
      if (docs != null) {
        Files.copy(shot, Path.of(docs), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      browser.quit();
    }
  }

  /**
   * The states of the grid's cells, of one name's row or (null) of all: read in one script, as the
   * page may redraw the grid between two WebDriver calls.
   */
  @SuppressWarnings("unchecked")
  private static List<String> states(WebDriver browser, String name) {
    String selector = name == null ? "#grid td.cell" : "#grid td.cell[data-name='" + name + "']";
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll(arguments[0]),"
                    + " c => c.dataset.state);",
                selector);
  }

  private static File executable(String variable, String... candidates) {
    String given = System.getenv(variable);
    for (String path : given != null ? List.of(given) : List.of(candidates)) {
      File file = new File(path);
      if (file.canExecute()) {
        return file;
      }
    }
    return null;
  }
}
