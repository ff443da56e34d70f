package p2psync.simulation.toxiproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The HTTP API as toxiproxy-java and raw HTTP see it: shapes, defaults, errors, lifecycle. */
class ToxiproxyApiTest extends ToxiproxyTestBase {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void versionAnswers() throws IOException {
    assertThat(client.version()).isEqualTo("{\"version\": \"2.12.0\"}");
  }

  @Test
  void createdProxyReportsTheBoundPortAndEveryField() throws Exception {
    Proxy proxy = proxyTo("echo", echoPort);

    assertThat(proxy.getListen()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
    assertThat(proxy.isEnabled()).isTrue();
    JsonObject shown = new JsonObject(get("/proxies/echo").body());
    assertThat(shown.fieldNames())
        .containsExactly("name", "listen", "upstream", "enabled", "Logger", "toxics");
    assertThat(shown.getString("listen")).isEqualTo(proxy.getListen());
    assertThat(shown.getString("upstream")).isEqualTo("127.0.0.1:" + echoPort);
    assertThat(shown.getJsonArray("toxics")).isEmpty();
    assertThat(client.getProxies()).extracting(Proxy::getName).containsExactly("echo");
    try (Socket socket = connect(proxy)) {
      assertThat(exchange(socket, "ping".getBytes())).isEqualTo("ping".getBytes());
    }
  }

  @Test
  void proxyErrorsSurfaceAsClientExceptions() throws Exception {
    proxyTo("echo", echoPort);

    assertThatThrownBy(() -> proxyTo("echo", echoPort))
        .isInstanceOf(IOException.class)
        .hasMessage("[409] proxy already exists");
    assertThatThrownBy(() -> client.getProxy("missing")).isInstanceOf(IOException.class);
    HttpResponse<String> missing = get("/proxies/missing");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()))
        .isEqualTo(new JsonObject().put("error", "proxy not found").put("status", 404));
    HttpResponse<String> nameless = post("/proxies", "{\"upstream\": \"127.0.0.1:1\"}");
    assertThat(nameless.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(nameless.body()).getString("error"))
        .isEqualTo("missing required field: name");
  }

  @Test
  void toxicDefaultsFollowToxiproxy() throws Exception {
    proxyTo("echo", echoPort);

    HttpResponse<String> created = post("/proxies/echo/toxics", "{\"type\": \"latency\"}");

    assertThat(created.statusCode()).isEqualTo(200);
    JsonObject toxic = new JsonObject(created.body());
    assertThat(toxic.getString("name")).isEqualTo("latency_downstream");
    assertThat(toxic.getString("type")).isEqualTo("latency");
    assertThat(toxic.getString("stream")).isEqualTo("downstream");
    assertThat(toxic.getDouble("toxicity")).isEqualTo(1.0);
    assertThat(toxic.getJsonObject("attributes"))
        .isEqualTo(new JsonObject().put("latency", 0).put("jitter", 0));
  }

  @Test
  void toxicErrorsSurfaceAsClientExceptions() throws Exception {
    Proxy proxy = proxyTo("echo", echoPort);
    proxy.toxics().latency("slow", ToxicDirection.UPSTREAM, 10);

    assertThatThrownBy(() -> proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 10))
        .isInstanceOf(IOException.class)
        .hasMessage("[409] toxic already exists");
    assertThatThrownBy(() -> proxy.toxics().get("missing")).isInstanceOf(IOException.class);
    Toxic slow = proxy.toxics().get("slow");
    slow.remove();
    assertThatThrownBy(slow::remove).isInstanceOf(IOException.class);
    assertThat(post("/proxies/echo/toxics", "{\"type\": \"nonsense\"}").body())
        .contains("invalid toxic type");
    assertThat(
            post("/proxies/echo/toxics", "{\"type\": \"latency\", \"stream\": \"sideways\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(post("/proxies/missing/toxics", "{\"type\": \"latency\"}").statusCode())
        .isEqualTo(404);
  }

  @Test
  void toxicUpdatesKeepWhatTheyDoNotName() throws IOException {
    Proxy proxy = proxyTo("echo", echoPort);
    Latency latency = proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 100);

    latency.setJitter(20);
    latency.setToxicity(0.5f);

    Latency shown = proxy.toxics().get("slow", Latency.class);
    assertThat(shown.getLatency()).isEqualTo(100);
    assertThat(shown.getJitter()).isEqualTo(20);
    assertThat(shown.getToxicity()).isEqualTo(0.5f);
    assertThat(shown.getStream()).isEqualTo(ToxicDirection.DOWNSTREAM);
    assertThat(proxy.toxics().getAll()).hasSize(1);
  }

  @Test
  void disablingClosesLiveConnectionsAndEnablingReopensTheSamePort() throws IOException {
    Proxy proxy = proxyTo("echo", echoPort);
    String listen = proxy.getListen();
    try (Socket live = connect(proxy)) {
      assertThat(exchange(live, "before".getBytes())).isEqualTo("before".getBytes());

      proxy.disable();

      assertThat(proxy.isEnabled()).isFalse();
      assertThat(live.getInputStream().read()).isEqualTo(-1);
    }
    proxy.enable();
    assertThat(proxy.getListen()).isEqualTo(listen);
    try (Socket again = connect(proxy)) {
      assertThat(exchange(again, "after".getBytes())).isEqualTo("after".getBytes());
    }
  }

  @Test
  void deletingClosesLiveConnections() throws IOException {
    Proxy proxy = proxyTo("echo", echoPort);
    try (Socket live = connect(proxy)) {
      exchange(live, "x".getBytes());

      proxy.delete();

      assertThat(live.getInputStream().read()).isEqualTo(-1);
      assertThat(client.getProxies()).isEmpty();
    }
  }

  @Test
  void resetReenablesProxiesAndClearsToxics() throws IOException {
    Proxy proxy = proxyTo("echo", echoPort);
    proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 100);
    proxy.toxics().limitData("cut", ToxicDirection.UPSTREAM, 10);
    proxy.disable();

    client.reset();

    Proxy shown = client.getProxy("echo");
    assertThat(shown.isEnabled()).isTrue();
    assertThat(shown.toxics().getAll()).isEmpty();
    try (Socket socket = connect(shown)) {
      byte[] payload = randomBytes(1_000);
      assertThat(exchange(socket, payload)).isEqualTo(payload);
    }
  }

  @Test
  void changingTheUpstreamRestartsTheProxy() throws IOException {
    Proxy proxy = proxyTo("moving", echoPort);
    int otherPort = fixedResponse("other".getBytes());

    proxy.setUpstream(LOOPBACK + ":" + otherPort);

    assertThat(proxy.getUpstream()).isEqualTo(LOOPBACK + ":" + otherPort);
    try (Socket socket = connect(proxy)) {
      assertThat(socket.getInputStream().readAllBytes()).isEqualTo("other".getBytes());
    }
  }

  /** The ways a proxy is closed and listens again under the same name. */
  enum Move {
    NEW_UPSTREAM,
    NEW_LISTEN_ADDRESS,
    REPLACED_BY_POPULATE
  }

  /**
   * A proxy that closed its listener and listened again must still be served on the server's one
   * event loop: Vert.x completes the close on its acceptor thread, and a listen from there gave the
   * proxy's sockets to another thread than the API's (the 500 of the 12-peer sync cell). The
   * simulation moves every peer's proxy so: created towards a port nothing listens on, then given
   * the peer's port.
   */
  @ParameterizedTest
  @EnumSource(Move.class)
  void aProxyListeningAgainStaysOnTheServersLoop(Move move) throws Exception {
    String echo = LOOPBACK + ":" + echoPort;
    Proxy created = client.createProxy("peer", LOOPBACK + ":0", LOOPBACK + ":9");
    switch (move) {
      case NEW_UPSTREAM -> created.setUpstream(echo);
      case NEW_LISTEN_ADDRESS -> {
        created.setUpstream(echo); // the first move
        created.setListen(LOOPBACK + ":0");
      }
      case REPLACED_BY_POPULATE -> {
        JsonObject replacement =
            new JsonObject().put("name", "peer").put("listen", "127.0.0.1:0").put("upstream", echo);
        HttpResponse<String> populated =
            post("/populate", new JsonArray().add(replacement).encode());
        assertThat(populated.statusCode()).as(populated.body()).isEqualTo(201);
      }
    }
    Proxy moved = client.getProxy("peer");

    try (Socket socket = connect(moved)) {
      assertThat(exchange(socket, "before".getBytes())).isEqualTo("before".getBytes());
      moved.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 20);
      assertThat(exchange(socket, "during".getBytes())).isEqualTo("during".getBytes());
      moved.toxics().get("slow").remove();
      assertThat(exchange(socket, "after".getBytes())).isEqualTo("after".getBytes());
    }
  }

  @Test
  void populateCreatesKeepsAndReplaces() throws Exception {
    String upstream = LOOPBACK + ":" + echoPort;
    String body =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("name", "a")
                    .put("listen", "127.0.0.1:0")
                    .put("upstream", upstream))
            .add(new JsonObject().put("name", "b").put("upstream", upstream).put("enabled", false))
            .encode();

    HttpResponse<String> populated = post("/populate", body);

    assertThat(populated.statusCode()).isEqualTo(201);
    JsonArray proxies = new JsonObject(populated.body()).getJsonArray("proxies");
    assertThat(proxies).hasSize(2);
    assertThat(client.getProxy("a").isEnabled()).isTrue();
    assertThat(client.getProxy("b").isEnabled()).isFalse();
    HttpResponse<String> invalid = post("/populate", "[{\"name\": \"c\"}]");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(invalid.body()).getString("error"))
        .isEqualTo("missing required field: upstream at proxy 1");
  }

  @Test
  void unknownRoutesAndMethodsAnswerAsGorillaMux() throws Exception {
    assertThat(get("/nowhere").statusCode()).isEqualTo(404);
    HttpRequest put =
        HttpRequest.newBuilder(uri("/proxies")).PUT(HttpRequest.BodyPublishers.noBody()).build();
    assertThat(http.send(put, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
  }

  @Test
  void closingTheServerClosesLiveConnections() throws IOException {
    Proxy proxy = proxyTo("echo", echoPort);
    try (Socket live = connect(proxy)) {
      exchange(live, "x".getBytes());

      waitFor(toxiproxy.close());

      assertThat(live.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> new Socket(LOOPBACK, listenPort(proxy)).close())
                    .isInstanceOf(IOException.class));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/x-www-form-urlencoded") // as toxiproxy-java
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + toxiproxy.port() + path);
  }
}
