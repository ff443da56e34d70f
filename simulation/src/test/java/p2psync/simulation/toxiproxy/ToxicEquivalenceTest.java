package p2psync.simulation.toxiproxy;

import static eu.rekawek.toxiproxy.model.ToxicDirection.DOWNSTREAM;
import static eu.rekawek.toxiproxy.model.ToxicDirection.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static p2psync.simulation.toxiproxy.ToxiproxyTestBase.millisSince;
import static p2psync.simulation.toxiproxy.ToxiproxyTestBase.randomBytes;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each toxic measured through the real Toxiproxy and through {@link EmbeddedToxiproxy} with the
 * same settings on loopback: how a connection ends (EOF, reset, bytes received) must be the same,
 * and the measured figure (milliseconds, KB/s, reads) within the case's tolerance of the nominal
 * value on both, and of each other (a figure off by load is measured again, see {@link #measure}).
 * The figures are logged ({@code toxic equivalence: ...}) and recorded in docs/benchmarks.md.
 * Skipped, with the reason, where the real binary does not run.
 */
class ToxicEquivalenceTest {
  private static final System.Logger LOG = System.getLogger(ToxicEquivalenceTest.class.getName());
  private static final byte[] BULK = randomBytes(400_000);
  private static final byte[] SMALL = randomBytes(5_000);

  private static final int TRIES = 3;

  private static BothToxiproxies both;
  private static int echo;
  private static int bulk;
  private static int small;
  private static int hundredThenClose;

  @BeforeAll
  static void startBoth() {
    both = BothToxiproxies.start();
    if (both.real == null) {
      return; // each test skips, saying why
    }
    echo = both.upstream(socket -> socket.pipeTo(socket));
    bulk = both.upstream(socket -> socket.end(Buffer.buffer(BULK)));
    small = both.upstream(socket -> socket.end(Buffer.buffer(SMALL)));
    hundredThenClose = both.upstream(socket -> socket.end(Buffer.buffer(new byte[100])));
  }

  @BeforeEach
  void skipWithoutTheRealServer() {
    both.assumeRunning();
  }

  @AfterAll
  static void stopBoth() {
    both.close();
  }

  /** What one run through one server showed: how it went, and the figure compared. */
  record Measure(String outcome, double value) {}

  /** Sets up the proxy's toxics and measures through it, on the test thread (the client blocks). */
  interface Run {
    Measure through(Proxy proxy) throws IOException;
  }

  /**
   * A case: which upstream, what to run, the nominal figure and how far from it a server may be.
   */
  record Case(String name, int upstream, Run run, double nominal, double tolerance) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "latency 100 ms, jitter 20 ms: mean echo round trip, ms",
            echo,
            proxy -> {
              proxy.toxics().latency("lat", DOWNSTREAM, 100).setJitter(20);
              try (Socket socket = connect(proxy)) {
                List<Long> trips = new ArrayList<>();
                for (int i = 0; i < 15; i++) {
                  long start = System.nanoTime();
                  exchange(socket, new byte[] {(byte) i});
                  trips.add(millisSince(start));
                }
                long spread =
                    trips.stream().mapToLong(Long::longValue).max().orElseThrow()
                        - trips.stream().mapToLong(Long::longValue).min().orElseThrow();
                return new Measure(
                    spread >= 10 ? "jittered" : "steady",
                    trips.stream().mapToLong(Long::longValue).average().orElseThrow());
              }
            },
            100,
            30), // 15 samples of 80..120 ms on 2 busy cores
        new Case(
            "bandwidth 200 KB/s: 400 kB downloaded, KB/s",
            bulk,
            proxy -> {
              proxy.toxics().bandwidth("bw", DOWNSTREAM, 200);
              long start = System.nanoTime();
              Ending ending = drain(proxy);
              return new Measure(
                  ending.describe(), ending.bytes() / (double) Math.max(1, millisSince(start)));
            },
            200,
            20),
        // Toxiproxy halves a chunk until it is at most average + variation: 5000 B, 64 slices of 78
        // B.
        new Case(
            "slicer 100 B, variation 0, 20 ms apart: reads for 5000 B",
            small,
            proxy -> {
              proxy.toxics().slicer("sl", DOWNSTREAM, 100, 20_000);
              try (Socket socket = connect(proxy)) {
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[65536];
                int reads = 0;
                int total = 0;
                for (int n; (n = in.read(buffer)) > 0; total += n) {
                  reads++;
                }
                return new Measure("EOF after " + total + " B", reads);
              }
            },
            64,
            5),
        new Case(
            "limit_data 1000 B: bytes before the end",
            small,
            proxy -> {
              proxy.toxics().limitData("ld", DOWNSTREAM, 1_000);
              Ending ending = drain(proxy);
              return new Measure(ending.how(), ending.bytes());
            },
            1_000,
            0),
        new Case(
            "timeout 300 ms (data sent): ms to the end",
            echo,
            proxy -> {
              proxy.toxics().timeout("to", DOWNSTREAM, 300);
              return millisToTheEndAfterAPing(proxy);
            },
            300,
            60),
        // Both wait for data before the timer starts: a silent connection is never reset.
        new Case(
            "reset_peer 200 ms (data sent): ms to the end",
            echo,
            proxy -> {
              proxy.toxics().resetPeer("rp", DOWNSTREAM, 200);
              return millisToTheEndAfterAPing(proxy);
            },
            200,
            60),
        new Case(
            "slow_close 300 ms: ms to the end of 100 B",
            hundredThenClose,
            proxy -> {
              proxy.toxics().slowClose("sc", DOWNSTREAM, 300);
              Ending ending = drain(proxy);
              return new Measure(ending.describe(), ending.millis());
            },
            300,
            60),
        new Case(
            "reset_peer 200 ms added to a live connection, data sent: ms to the end",
            echo,
            proxy -> {
              try (Socket socket = connect(proxy)) {
                exchange(socket, "warm".getBytes());
                proxy.toxics().resetPeer("rp", DOWNSTREAM, 200);
                socket.getOutputStream().write("ping".getBytes());
                Ending ending = drain(socket);
                return new Measure(ending.describe(), ending.millis());
              }
            },
            200,
            60),
        new Case(
            "latency 150 ms added upstream to a live connection: round trip, ms",
            echo,
            proxy -> {
              try (Socket socket = connect(proxy)) {
                exchange(socket, "warm".getBytes());
                proxy.toxics().latency("live", UPSTREAM, 150);
                long start = System.nanoTime();
                exchange(socket, "ping".getBytes());
                return new Measure("echoed", millisSince(start));
              }
            },
            150,
            40));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void bothServersApplyTheToxicAlike(Case toxicCase) throws IOException {
    Measure real = measure(both.realClient(), toxicCase);
    Measure embedded = measure(both.embeddedClient(), toxicCase);
    LOG.log(
        System.Logger.Level.INFO,
        String.format(
            Locale.ROOT,
            "toxic equivalence: %s: real %.1f (%s), embedded %.1f (%s)",
            toxicCase.name(),
            real.value(),
            real.outcome(),
            embedded.value(),
            embedded.outcome()));

    assertThat(embedded.outcome()).as("how the connection went").isEqualTo(real.outcome());
    assertThat(real.value())
        .as("real Toxiproxy")
        .isCloseTo(toxicCase.nominal(), offset(toxicCase.tolerance()));
    assertThat(embedded.value())
        .as("embedded")
        .isCloseTo(toxicCase.nominal(), offset(toxicCase.tolerance()));
    assertThat(embedded.value())
        .as("embedded vs real")
        .isCloseTo(real.value(), offset(toxicCase.tolerance()));
  }

  /**
   * Up to {@value #TRIES} tries, until the figure is within the tolerance: on a shared machine load
   * only ever adds delay or takes rate away, so one such try shows the toxic's own figure, while a
   * wrong toxic misses on every try.
   */
  private static Measure measure(ToxiproxyClient client, Case toxicCase) throws IOException {
    Measure measure = null;
    for (int attempt = 1; attempt <= TRIES; attempt++) {
      measure = measureOnce(client, toxicCase);
      if (Math.abs(measure.value() - toxicCase.nominal()) <= toxicCase.tolerance()) {
        break;
      }
      LOG.log(
          System.Logger.Level.INFO,
          "toxic equivalence: {0}: try {1} gave {2}",
          toxicCase.name(),
          attempt,
          measure);
    }
    return measure;
  }

  private static Measure measureOnce(ToxiproxyClient client, Case toxicCase) throws IOException {
    Proxy proxy =
        client.createProxy(
            "equivalence",
            BothToxiproxies.LOOPBACK + ":0",
            BothToxiproxies.LOOPBACK + ":" + toxicCase.upstream());
    try {
      return toxicCase.run().through(proxy);
    } finally {
      proxy.delete();
    }
  }

  /** How a connection ended: after how many bytes and milliseconds, by EOF, reset or silence. */
  record Ending(String how, long bytes, long millis) {
    String describe() {
      return how + " after " + bytes + " B";
    }
  }

  /** Sends a few bytes to the echo server and times how the connection then ends. */
  private static Measure millisToTheEndAfterAPing(Proxy proxy) throws IOException {
    try (Socket socket = connect(proxy)) {
      socket.getOutputStream().write("ping".getBytes());
      Ending ending = drain(socket);
      return new Measure(ending.describe(), ending.millis());
    }
  }

  private static Ending drain(Proxy proxy) throws IOException {
    try (Socket socket = connect(proxy)) {
      return drain(socket);
    }
  }

  /** Reads until the connection ends, or 5 s of silence. */
  private static Ending drain(Socket socket) throws IOException {
    long start = System.nanoTime();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[65536];
    long bytes = 0;
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        bytes += n;
      }
      return new Ending("EOF", bytes, millisSince(start));
    } catch (SocketTimeoutException silent) {
      return new Ending("silence", bytes, millisSince(start));
    } catch (SocketException reset) {
      return new Ending("reset", bytes, millisSince(start));
    }
  }

  private static Socket connect(Proxy proxy) throws IOException {
    Socket socket = new Socket(BothToxiproxies.LOOPBACK, ToxiproxyTestBase.listenPort(proxy));
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static void exchange(Socket socket, byte[] request) throws IOException {
    assertThat(ToxiproxyTestBase.exchange(socket, request)).isEqualTo(request);
  }
}
