package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {
  private static final String TEST_KEY = "someTestKey";
  private static final String TEST_PROPERTY = ConfigLoader.SYS_PREFIX + TEST_KEY;

  @TempDir Path dir;

  @AfterEach
  void clearProperty() {
    System.clearProperty(TEST_PROPERTY);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  // ---- files ------------------------------------------------------------------------------------

  @Test
  void jsonFileOverridesTheBase(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = write("p2psync.json", "{\"keepAliveInterval\": \"2s\", \"firstPeerPort\": 9001}");
    JsonObject base =
        new JsonObject()
            .put("firstPeerPort", 8500)
            .put("maxRequestBytes", 1024)
            .put("onlyInBase", "b");
    JsonObject baseBefore = base.copy();
    ConfigLoader.load(vertx, base, file)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.getValue("keepAliveInterval")).isEqualTo("2s");
                          assertThat(json.getValue("firstPeerPort")).isEqualTo(9001);
                          assertThat(json.getValue("maxRequestBytes")).isEqualTo(1024);
                          assertThat(json.getValue("onlyInBase")).isEqualTo("b");
                          SyncConfig config = new SyncConfig(json);
                          assertThat(config.getKeepAliveInterval())
                              .isEqualTo(Duration.ofSeconds(2));
                          assertThat(config.getFirstPeerPort()).isEqualTo(9001);
                          assertThat(config.getMaxRequestBytes()).isEqualTo(1024);
                          assertThat(base)
                              .as("the caller's base is not modified")
                              .isEqualTo(baseBefore);
                          ctx.completeNow();
                        })));
  }

  @ParameterizedTest
  @CsvSource({"p2psync.yaml", "p2psync.yml", "P2PSYNC.YML", "P2psync.Yaml"})
  void yamlFile(String fileName, Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file =
        write(
            fileName,
            "# a comment\nkeepAliveInterval: 250ms\nfirstPeerPort: 9002\nmaxLineBytes: 4096\n");
    JsonObject base = new JsonObject().put("firstPeerPort", 8500).put("maxConcurrentUploads", 5);
    ConfigLoader.load(vertx, base, file)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          SyncConfig config = new SyncConfig(json);
                          assertThat(config.getKeepAliveInterval())
                              .isEqualTo(Duration.ofMillis(250));
                          assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofMillis(750));
                          assertThat(config.getFirstPeerPort()).isEqualTo(9002);
                          assertThat(config.getMaxLineBytes()).isEqualTo(4096);
                          assertThat(config.getMaxConcurrentUploads()).isEqualTo(5);
                          ctx.completeNow();
                        })));
  }

  @Test
  void anyOtherExtensionIsReadAsJson(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = write("settings.conf", "{\"firstPeerPort\": 9003}");
    ConfigLoader.load(vertx, new JsonObject(), file)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.getValue("firstPeerPort")).isEqualTo(9003);
                          ctx.completeNow();
                        })));
  }

  @Test
  void withoutAFileTheBaseIsUsed(Vertx vertx, VertxTestContext ctx) {
    JsonObject base = new JsonObject().put("firstPeerPort", 8600).put("keepAliveInterval", "1s");
    ConfigLoader.load(vertx, base, null)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.getValue("firstPeerPort")).isEqualTo(8600);
                          assertThat(json.getValue("keepAliveInterval")).isEqualTo("1s");
                          ctx.completeNow();
                        })));
  }

  @Test
  void missingFileFails(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, new JsonObject(), dir.resolve("absent.json"))
        .onComplete(ctx.failingThenComplete());
  }

  @Test
  void malformedJsonFileFails(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = write("bad.json", "{\"firstPeerPort\": ");
    ConfigLoader.load(vertx, new JsonObject(), file).onComplete(ctx.failingThenComplete());
  }

  @Test
  void malformedYamlFileFails(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = write("bad.yaml", "a: [unclosed\n  b: {\n");
    ConfigLoader.load(vertx, new JsonObject(), file).onComplete(ctx.failingThenComplete());
  }

  // ---- environment and system properties --------------------------------------------------------

  @Test
  void systemPropertyIsSeenAndWinsOverFileAndBase(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path file = write("p2psync.json", "{\"" + TEST_KEY + "\": \"fromFile\"}");
    JsonObject base = new JsonObject().put(TEST_KEY, "fromBase");
    System.setProperty(TEST_PROPERTY, "fromSys");
    ConfigLoader.load(vertx, base, file)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.getValue(TEST_KEY)).isEqualTo("fromSys");
                          assertThat(json.containsKey(TEST_PROPERTY))
                              .as("prefix taken off")
                              .isFalse();
                          ctx.completeNow();
                        })));
  }

  @Test
  void systemPropertyIsNotSeenOnceCleared(Vertx vertx, VertxTestContext ctx) {
    System.setProperty(TEST_PROPERTY, "set");
    System.clearProperty(TEST_PROPERTY);
    ConfigLoader.load(vertx, new JsonObject(), null)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.containsKey(TEST_KEY)).isFalse();
                          ctx.completeNow();
                        })));
  }

  @Test
  void unprefixedEnvironmentAndPropertiesStayOut(Vertx vertx, VertxTestContext ctx) {
    assertThat(System.getProperty("java.version")).isNotNull();
    ConfigLoader.load(vertx, new JsonObject(), null)
        .onComplete(
            ctx.succeeding(
                json ->
                    ctx.verify(
                        () -> {
                          assertThat(json.containsKey("java.version")).isFalse();
                          assertThat(json.containsKey("user.dir")).isFalse();
                          assertThat(json.containsKey("PATH")).isFalse();
                          assertThat(json.containsKey("path")).isFalse();
                          for (String key : json.fieldNames()) {
                            assertThat(key)
                                .doesNotStartWith(ConfigLoader.ENV_PREFIX)
                                .doesNotStartWith(ConfigLoader.SYS_PREFIX);
                          }
                          ctx.completeNow();
                        })));
  }

  // ---- prefixedOverrides and camelCase (package-private) ----------------------------------------

  @Test
  void prefixedOverridesKeepsOnlyOurs() {
    JsonObject ambient =
        new JsonObject()
            .put("PATH", "/usr/bin")
            .put("HOME", "/root")
            .put("java.version", "17")
            .put("P2PSYNC_KEEP_ALIVE_INTERVAL", "2s")
            .put("P2PSYNC_FIRST_PEER_PORT", 9000)
            .put("p2psync.maxLineBytes", 4096)
            .put("p2psyncNoDot", "x")
            .put("P2PSYNCNOUNDERSCORE", "y");
    assertThat(ConfigLoader.prefixedOverrides(ambient))
        .isEqualTo(
            new JsonObject()
                .put("keepAliveInterval", "2s")
                .put("firstPeerPort", 9000)
                .put("maxLineBytes", 4096));
  }

  @Test
  void systemPropertyOverridesEnvironmentWhateverTheOrder() {
    JsonObject envFirst =
        new JsonObject()
            .put("P2PSYNC_KEEP_ALIVE_INTERVAL", "env")
            .put("p2psync.keepAliveInterval", "sys");
    JsonObject sysFirst =
        new JsonObject()
            .put("p2psync.keepAliveInterval", "sys")
            .put("P2PSYNC_KEEP_ALIVE_INTERVAL", "env");
    assertThat(ConfigLoader.prefixedOverrides(envFirst))
        .isEqualTo(new JsonObject().put("keepAliveInterval", "sys"));
    assertThat(ConfigLoader.prefixedOverrides(sysFirst))
        .isEqualTo(new JsonObject().put("keepAliveInterval", "sys"));
  }

  @Test
  void systemPropertyKeysAreTakenAsWritten() {
    JsonObject ambient =
        new JsonObject()
            .put("p2psync.x", "sys")
            .put("P2PSYNC_X", "env")
            .put("P2PSYNC_Y", "envOnly");
    assertThat(ConfigLoader.prefixedOverrides(ambient))
        .isEqualTo(new JsonObject().put("x", "sys").put("y", "envOnly"));
  }

  @Test
  void prefixedOverridesOfNothingIsEmpty() {
    assertThat(ConfigLoader.prefixedOverrides(new JsonObject())).isEqualTo(new JsonObject());
  }

  @ParameterizedTest
  @CsvSource({
    "KEEP_ALIVE_INTERVAL, keepAliveInterval",
    "FIRST_PEER_PORT, firstPeerPort",
    "MAX_CONCURRENT_DOWNLOADS, maxConcurrentDownloads",
    "X, x",
    "TRACKER_EXPIRY, trackerExpiry",
    "_LEADING, leading",
    "TRAILING_, trailing",
    "DOUBLE__UNDERSCORE, doubleUnderscore",
    "A1_B2, a1B2",
    "Mixed_Case, mixedCase",
    "lower_case, lowerCase",
    "'', ''",
  })
  void camelCase(String envName, String expected) {
    assertThat(ConfigLoader.camelCase(envName)).isEqualTo(expected);
  }

  @Test
  void envNamesOfEveryConfigKeyMapBackToTheKey() {
    for (String key : new SyncConfig().toJson().fieldNames()) {
      String envName = key.replaceAll("([A-Z])", "_$1").toUpperCase(java.util.Locale.ROOT);
      assertThat(ConfigLoader.camelCase(envName)).as(envName).isEqualTo(key);
    }
  }
}
