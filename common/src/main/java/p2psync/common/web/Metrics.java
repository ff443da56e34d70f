package p2psync.common.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Prometheus metrics: Vert.x's own (net, HTTP, event bus, pools) when the Vert.x instance was built
 * by {@link #vertx()}, and ours, named {@code p2psync_*}, which every tracker and peer keeps in a
 * registry of its own: several of them share one Vert.x in tests and simulations, and each one's
 * {@code /metrics} must show its own counts.
 */
public final class Metrics {
  private Metrics() {}

  /** A registry for one tracker's or peer's {@code p2psync_*} meters. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** A Vert.x instance whose own metrics go to a Prometheus registry that {@link #scrape} shows. */
  public static Vertx vertx() {
    PrometheusMeterRegistry registry = newRegistry();
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /**
   * The Prometheus text of {@code ours} followed by Vert.x's own meters, when this process has them
   * (the two never share a name: theirs are {@code vertx_*}).
   */
  public static String scrape(PrometheusMeterRegistry ours) {
    StringBuilder text = new StringBuilder(ours.scrape());
    MeterRegistry vertx = BackendRegistries.getDefaultNow();
    if (vertx instanceof PrometheusMeterRegistry prometheus && prometheus != ours) {
      text.append(prometheus.scrape());
    }
    return text.toString();
  }
}
