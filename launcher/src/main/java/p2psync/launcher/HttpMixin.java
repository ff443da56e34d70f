package p2psync.launcher;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

/** {@code --http-port} and {@code --http-host}: the status API, /metrics and the dashboard. */
final class HttpMixin {
  @Option(
      names = "--http-port",
      paramLabel = "N",
      description =
          "Serve the status API (/api/status), Prometheus metrics (/metrics) and, for a tracker,"
              + " the dashboard (/) on this port (0: any free one; default: none).")
  Integer port;

  @Option(
      names = "--http-host",
      paramLabel = "H",
      description = "Address the HTTP endpoint binds (default 127.0.0.1).")
  String host;

  /** Adds the keys given on the command line to {@code config}. */
  JsonObject addTo(JsonObject config) {
    if (port != null) {
      config.put("httpPort", port);
    }
    if (host != null) {
      config.put("httpHost", host);
    }
    return config;
  }
}
