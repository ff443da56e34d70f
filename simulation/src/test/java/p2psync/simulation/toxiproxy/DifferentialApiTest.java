package p2psync.simulation.toxiproxy;

import static org.assertj.core.api.Assertions.assertThat;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2psync.simulation.RealToxiproxy;

/**
 * The same API calls, raw HTTP and toxiproxy-java, sent to the real Toxiproxy 2.12.0 and to {@link
 * EmbeddedToxiproxy}; every response compared field by field (status, content type, the headers
 * that matter, the JSON as text, so that key order and {@code 1} vs {@code 1.0} count). What still
 * differs on purpose is {@link Difference}, and nowhere else. Skipped, with the reason, where the
 * real binary is missing ({@link RealToxiproxy}).
 */
class DifferentialApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String LOOPBACK = BothToxiproxies.LOOPBACK;

  private static BothToxiproxies both;

  /** Held for the whole class, so that a proxy asked to listen on it fails (500) on both. */
  private static ServerSocket taken;

  /**
   * The deliberate differences: each rewrites both servers' responses alike, so that the comparison
   * ignores exactly what it names.
   */
  enum Difference implements UnaryOperator<Response> {
    /**
     * A body that is not JSON, or has a field of the wrong type, is a 400 whose message starts
     * {@code bad request body: } on both; the rest is the JSON decoder's own wording, Go's
     * encoding/json there and Jackson's here. Clients act on the status only.
     */
    DECODER_WORDING {
      @Override
      public Response apply(Response response) {
        return response.withBody(
            response
                .body()
                .replaceAll(
                    "(\"error\":\"bad request body: )([^\"\\\\]|\\\\.)*(\")",
                    "$1<decoder message>$3"));
      }
    };
  }

  /** What is compared of one response. */
  record Response(int status, String contentType, String noSniff, boolean requestId, String body) {
    Response withBody(String newBody) {
      return new Response(status, contentType, noSniff, requestId, newBody);
    }
  }

  /** One API call; {@code {taken}} in the body is a port in use, {@code {free}} a free one. */
  record Call(String method, String path, String body) {
    @Override
    public String toString() {
      return method + " " + path + (body.isEmpty() ? "" : " " + body);
    }
  }

  private static Call call(String method, String path, String body) {
    return new Call(method, path, body);
  }

  private static Call get(String path) {
    return call("GET", path, "");
  }

  private static Call post(String path, String body) {
    return call("POST", path, body);
  }

  /** The script: one sequence, so that later calls meet the state earlier ones left. */
  static final List<Call> SCRIPT =
      List.of(
          get("/version"),
          get("/proxies"),
          // proxies: create, every error of create
          post(
              "/proxies",
              "{\"name\":\"one\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20001\"}"),
          post(
              "/proxies",
              "{\"name\":\"one\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20001\"}"),
          post("/proxies", "{\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20001\"}"),
          post("/proxies", "{\"name\":\"two\",\"listen\":\"127.0.0.1:0\"}"),
          post(
              "/proxies",
              "{\"name\":\"off\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20002\",\"enabled\":false}"),
          post(
              "/proxies",
              "{\"name\":\"fixed\",\"listen\":\"127.0.0.1:{free}\",\"upstream\":\"localhost:20003\"}"),
          post(
              "/proxies",
              "{\"name\":\"busy\",\"listen\":\"127.0.0.1:{taken}\",\"upstream\":\"127.0.0.1:20004\"}"),
          post(
              "/proxies",
              "{\"name\":\"nolisten\",\"upstream\":\"127.0.0.1:20001\",\"enabled\":false}"),
          post(
              "/proxies",
              "{\"name\":\"badlisten\",\"listen\":\"nope\",\"upstream\":\"127.0.0.1:20001\"}"),
          post(
              "/proxies",
              "{\"name\":\"badport\",\"listen\":\"127.0.0.1:99999\",\"upstream\":\"127.0.0.1:20001\"}"),
          post("/proxies", "not json"),
          post("/proxies", ""),
          post("/proxies", "[]"),
          post("/proxies", "{\"name\":5,\"upstream\":\"127.0.0.1:20001\"}"),
          post(
              "/proxies",
              "{\"name\":\"three\",\"upstream\":\"127.0.0.1:20001\",\"enabled\":\"yes\"}"),
          get("/proxies"),
          get("/proxies/one"),
          get("/proxies/missing"),
          // proxies: update
          post("/proxies/one", "{\"enabled\":false}"),
          post("/proxies/one", "{\"enabled\":true}"),
          call("PATCH", "/proxies/one", "{\"upstream\":\"127.0.0.1:20005\"}"),
          post("/proxies/missing", "{\"enabled\":false}"),
          post("/proxies/one", "nope"),
          // toxics: every type with its attributes, both streams, toxicity absent, 0, 0.5 and 1
          post(
              "/proxies/one/toxics",
              "{\"name\":\"lat\",\"type\":\"latency\",\"attributes\":{\"latency\":100,\"jitter\":10}}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"bw\",\"type\":\"bandwidth\",\"stream\":\"upstream\",\"attributes\":{\"rate\":64},\"toxicity\":0.5}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"sc\",\"type\":\"slow_close\",\"attributes\":{\"delay\":250},\"toxicity\":0}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"to\",\"type\":\"timeout\",\"attributes\":{\"timeout\":1000},\"toxicity\":1}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"rp\",\"type\":\"reset_peer\",\"stream\":\"upstream\",\"attributes\":{\"timeout\":20}}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"sl\",\"type\":\"slicer\",\"attributes\":{\"average_size\":64,\"size_variation\":8,\"delay\":5}}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"ld\",\"type\":\"limit_data\",\"attributes\":{\"bytes\":1024,\"unknown\":3}}"),
          post("/proxies/one/toxics", "{\"type\":\"noop\"}"),
          post(
              "/proxies/one/toxics",
              "{\"type\":\"noop\",\"stream\":\"upstream\",\"toxicity\":0.25}"),
          post("/proxies/one/toxics", "{\"type\":\"latency\"}"),
          // toxics: every error of create
          post("/proxies/one/toxics", "{\"name\":\"lat\",\"type\":\"latency\"}"),
          post("/proxies/one/toxics", "{\"name\":\"x\",\"type\":\"melt\"}"),
          post("/proxies/one/toxics", "{\"name\":\"x\"}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"x\",\"type\":\"latency\",\"stream\":\"sideways\"}"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"x\",\"type\":\"latency\",\"attributes\":{\"latency\":\"slow\"}}"),
          post(
              "/proxies/one/toxics", "{\"name\":\"x\",\"type\":\"latency\",\"toxicity\":\"high\"}"),
          post("/proxies/one/toxics", "]"),
          post(
              "/proxies/one/toxics",
              "{\"name\":\"x\",\"type\":\"latency\",\"attributes\":{\"latency\":1.5}}"),
          post("/proxies/one/toxics", "{\"name\":\"high\",\"type\":\"noop\",\"toxicity\":1.5}"),
          post("/proxies/one/toxics", "{\"name\":\"low\",\"type\":\"noop\",\"toxicity\":-1}"),
          post("/proxies/one/toxics", "{\"name\":\"tenth\",\"type\":\"noop\",\"toxicity\":0.1}"),
          post("/proxies/missing/toxics", "{\"type\":\"latency\"}"),
          // toxics: read, update, delete
          get("/proxies/one/toxics"),
          get("/proxies/one/toxics/lat"),
          get("/proxies/one/toxics/missing"),
          get("/proxies/missing/toxics"),
          post("/proxies/one/toxics/lat", "{\"attributes\":{\"latency\":50},\"toxicity\":0.75}"),
          call(
              "PATCH",
              "/proxies/one/toxics/lat",
              "{\"name\":\"renamed\",\"type\":\"bandwidth\",\"stream\":\"upstream\",\"attributes\":{\"jitter\":5}}"),
          post("/proxies/one/toxics/missing", "{\"toxicity\":0.5}"),
          post("/proxies/missing/toxics/lat", "{\"toxicity\":0.5}"),
          post("/proxies/one/toxics/lat", "{\"attributes\":{\"latency\":\"slow\"}}"),
          call("DELETE", "/proxies/one/toxics/sc", ""),
          call("DELETE", "/proxies/one/toxics/sc", ""),
          call("DELETE", "/proxies/missing/toxics/sc", ""),
          get("/proxies/one"),
          // reset: every proxy enabled again, every toxic gone
          post("/reset", ""),
          get("/proxies"),
          // populate: create, keep, replace, errors
          post(
              "/populate",
              "[{\"name\":\"p1\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20006\"},"
                  + "{\"name\":\"p2\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20007\",\"enabled\":false}]"),
          post(
              "/populate",
              "[{\"name\":\"p2\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20008\",\"enabled\":false}]"),
          post("/populate", "[{\"name\":\"p3\",\"listen\":\"127.0.0.1:0\"}]"),
          post("/populate", "{\"name\":\"p4\"}"),
          post("/populate", "[]"),
          post("/populate", ""),
          post(
              "/populate",
              "[{\"name\":\"p6\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:20010\"},{\"name\":\"p7\"}]"),
          post(
              "/populate",
              "[{\"name\":\"p5\",\"listen\":\"127.0.0.1:{taken}\",\"upstream\":\"127.0.0.1:20009\"}]"),
          get("/proxies"),
          // routing: unknown paths, methods, browsers
          call("PUT", "/proxies", "{}"),
          call("DELETE", "/version", ""),
          get("/nowhere"),
          get("/proxies/"),
          get("/proxies/one/toxics/"),
          call("HEAD", "/version", ""),
          get("/proxies/one/toxics/lat/extra"),
          call("BROWSER", "/proxies", ""),
          // delete
          call("DELETE", "/proxies/one", ""),
          call("DELETE", "/proxies/one", ""),
          get("/proxies/one"),
          post("/reset", ""));

  @BeforeAll
  static void startBoth() throws IOException {
    both = BothToxiproxies.start();
    taken = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK));
  }

  @BeforeEach
  void skipWithoutTheRealServer() {
    both.assumeRunning();
  }

  @AfterAll
  static void stopBoth() throws IOException {
    if (taken != null) {
      taken.close();
    }
    both.close();
  }

  static List<Call> script() {
    return SCRIPT;
  }

  /** One invocation per call of {@link #SCRIPT}, in its order (JUnit keeps a source's order). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("script")
  void everyCallAnswersAsTheRealToxiproxyDoes(Call call) throws Exception {
    Response expected = send(both.real.port(), call);
    Response actual = send(both.embedded.port(), call);
    assertThat(actual).as(call.toString()).isEqualTo(expected);
  }

  @Test
  void toxiproxyJavaSeesTheSameFromBoth() throws Exception {
    List<String> expected = clientSession(both.realClient());
    List<String> actual = clientSession(both.embeddedClient());
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  /** A session through toxiproxy-java's every call, traced as text. */
  private static List<String> clientSession(ToxiproxyClient client) throws IOException {
    List<String> trace = new ArrayList<>();
    trace.add(client.version());
    Proxy proxy = client.createProxy("java", "127.0.0.1:0", "127.0.0.1:20010");
    trace.add(describe(proxy));
    trace.add(outcome(() -> client.createProxy("java", "127.0.0.1:0", "127.0.0.1:20010")));
    trace.add(outcome(() -> client.getProxy("missing")));
    proxy.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 100).setJitter(7).setToxicity(0.5f);
    proxy.toxics().bandwidth("bw", ToxicDirection.UPSTREAM, 128);
    proxy.toxics().slowClose("sc", ToxicDirection.DOWNSTREAM, 30);
    proxy.toxics().timeout("to", ToxicDirection.UPSTREAM, 40).setTimeout(45);
    proxy.toxics().resetPeer("rp", ToxicDirection.DOWNSTREAM, 50);
    proxy.toxics().slicer("sl", ToxicDirection.DOWNSTREAM, 64, 2).setSizeVariation(8);
    proxy.toxics().limitData("ld", ToxicDirection.UPSTREAM, 2048).setBytes(4096);
    trace.add(outcome(() -> proxy.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 1)));
    for (Toxic toxic : proxy.toxics().getAll()) {
      trace.add(describe(toxic));
    }
    trace.add(describe(proxy.toxics().get("lat")));
    trace.add(outcome(() -> proxy.toxics().get("missing")));
    proxy.toxics().get("sc").remove();
    proxy.disable();
    trace.add(describe(client.getProxy("java")));
    proxy.enable();
    proxy.setUpstream("127.0.0.1:20011");
    trace.add(describe(client.getProxy("java")));
    client.reset();
    for (Proxy each : client.getProxies()) {
      trace.add(describe(each) + " " + each.toxics().getAll().size() + " toxics");
    }
    proxy.delete();
    trace.add(String.valueOf(client.getProxyOrNull("java")));
    return trace;
  }

  private interface ClientCall {
    Object run() throws IOException;
  }

  private static String outcome(ClientCall call) {
    try {
      return "ok " + call.run();
    } catch (IOException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static String describe(Proxy proxy) {
    return proxy.getName()
        + " "
        + withoutPort(proxy.getListen())
        + " "
        + proxy.getUpstream()
        + " "
        + proxy.isEnabled();
  }

  private static String describe(Toxic toxic) {
    return toxic.getClass().getSimpleName()
        + " "
        + toxic.getName()
        + " "
        + toxic.getStream()
        + " "
        + toxic.getToxicity()
        + " "
        + toxic;
  }

  private static Response send(int port, Call call) throws IOException, InterruptedException {
    String body = call.body().replace("{taken}", String.valueOf(taken.getLocalPort()));
    if (body.contains("{free}")) {
      body = body.replace("{free}", String.valueOf(RealToxiproxy.freePort()));
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
            .timeout(Duration.ofSeconds(10));
    if (call.method().equals("BROWSER")) {
      request.GET().header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)");
    } else {
      request.method(
          call.method(),
          body.isEmpty()
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    Map<String, List<String>> headers = response.headers().map();
    Response raw =
        new Response(
            response.statusCode(),
            response.headers().firstValue("Content-Type").orElse(null),
            response.headers().firstValue("X-Content-Type-Options").orElse(null),
            // A fresh id per request: compared by form (rs/xid, 20 base32hex letters), not by
            // value.
            headers.getOrDefault("X-Toxiproxy-Request-Id", List.of()).stream()
                .anyMatch(id -> id.matches("[0-9a-v]{20}")),
            normalized(response.body()));
    Response result = raw;
    for (Difference difference : Difference.values()) {
      result = difference.apply(result);
    }
    return result;
  }

  /** The body with every bound port (not 0) of a {@code listen} replaced: the OS picks them. */
  private static String normalized(String body) {
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (RuntimeException notJson) {
      return body;
    }
    return body.replaceAll("(\"listen\" ?: ?\"[^\"]*:)(?!0\")\\d+\"", "$1<port>\"")
        + (json instanceof JsonObject || json instanceof JsonArray ? "" : " (not an object)");
  }

  private static String withoutPort(String listen) {
    return listen.endsWith(":0") ? listen : listen.replaceAll(":\\d+$", ":<port>");
  }
}
