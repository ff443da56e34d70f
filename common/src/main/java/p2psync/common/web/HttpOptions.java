package p2psync.common.web;

import io.vertx.core.json.JsonObject;
import p2psync.common.Validate;

/**
 * Where a tracker's or a peer's HTTP endpoint (status API, {@code /metrics}, dashboard) listens.
 * JSON keys: {@code httpHost} (default {@code 127.0.0.1}: the status of a swarm is nobody else's
 * business unless told otherwise), {@code httpPort} (default {@code -1}: no endpoint; {@code 0}:
 * any free port, as tests want).
 */
public final class HttpOptions {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int OFF = -1;

  private String host = DEFAULT_HOST;
  private int port = OFF;

  public HttpOptions() {}

  public HttpOptions(JsonObject json) {
    setHost(json.getString("httpHost", DEFAULT_HOST));
    Object port = json.getValue("httpPort");
    if (port instanceof String text) {
      try {
        setPort(Integer.parseInt(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("httpPort must be a number, got " + text, e);
      }
    } else if (port != null) {
      setPort(json.getInteger("httpPort"));
    }
  }

  public JsonObject addTo(JsonObject json) {
    return json.put("httpHost", host).put("httpPort", port);
  }

  public boolean isEnabled() {
    return port != OFF;
  }

  public String getHost() {
    return host;
  }

  public HttpOptions setHost(String host) {
    this.host = Validate.notBlank("httpHost", host);
    return this;
  }

  public int getPort() {
    return port;
  }

  /** {@value #OFF}: no endpoint; 0: any free port. */
  public HttpOptions setPort(int port) {
    this.port = Validate.inRange("httpPort", port, OFF, 65_535);
    return this;
  }
}
