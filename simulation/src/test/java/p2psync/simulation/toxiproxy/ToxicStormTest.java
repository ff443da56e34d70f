package p2psync.simulation.toxiproxy;

import static eu.rekawek.toxiproxy.model.ToxicDirection.DOWNSTREAM;
import static eu.rekawek.toxiproxy.model.ToxicDirection.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The embedded server under the simulation's load: many short connections with traffic both ways
 * while toxics of every kind are added, updated and removed and the proxy is disabled and enabled,
 * all through the HTTP API from a test thread. The proxy is set up as the simulation sets up a
 * peer's: created towards a port nothing listens on, then moved to the real upstream.
 *
 * <p>Whatever the toxics do to a connection (cut it, reset it, stall it), what a client gets back
 * is a prefix of what it sent: never other bytes, never reordered. And every API call is answered
 * without a 500.
 *
 * <p>It found two bugs: the moved proxy listened off the server's event loop (a 500 on the first
 * move once ServerLoop checks it; a silent race before), and a removed timeout let later bytes
 * overtake a slow_close's held end (corrupted echoes in about one run in three). About 8 s.
 */
class ToxicStormTest extends ToxiproxyTestBase {
  private static final long STORM_MILLIS = 6_000;
  private static final int CLIENTS = 12;

  /** The storm's toxics of the moment, for the failure message. */
  private static volatile String current = "";

  @Test
  void aMovedProxyRelaysIntactWhileToxicsComeAndGo() throws Exception {
    Proxy proxy = client.createProxy("peer-11", LOOPBACK + ":0", LOOPBACK + ":9");
    proxy.setUpstream(LOOPBACK + ":" + echoPort); // as Simulation.startPeer does
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STORM_MILLIS);
    Queue<String> corrupted = new ConcurrentLinkedQueue<>();
    AtomicLong echoedBytes = new AtomicLong();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        long seed = i;
        running.add(
            clients.submit(() -> churn(listenPort(proxy), seed, deadline, corrupted, echoedBytes)));
      }
      int rounds = storm(proxy, deadline);
      for (Future<?> client : running) {
        client.get(30, TimeUnit.SECONDS);
      }

      assertThat(corrupted).isEmpty();
      assertThat(rounds).isGreaterThan(10);
      assertThat(echoedBytes.get()).isGreaterThan(0);
      assertThat(proxy.toxics().getAll()).isEmpty();
      try (Socket socket = connect(proxy)) {
        byte[] payload = randomBytes(64 * 1024);
        assertThat(exchange(socket, payload)).isEqualTo(payload);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * Rounds of overlapping faults in the order the simulation applies them (latency, then its
   * jitter; bandwidth; drop; reset; stall; a cut), plus the kinds it does not use, each round a
   * random subset, lifted in random order. Returns the number of rounds.
   */
  private int storm(Proxy proxy, long deadline) throws IOException {
    Random random = new Random(42);
    int round = 0;
    while (System.nanoTime() < deadline) {
      ToxicDirection stream = random.nextBoolean() ? DOWNSTREAM : UPSTREAM;
      List<String> added = new ArrayList<>();
      if (random.nextBoolean()) {
        proxy.toxics().latency("latency", stream, 20 + random.nextInt(80)).setJitter(10);
        added.add("latency");
      }
      if (random.nextBoolean()) {
        proxy.toxics().bandwidth("bandwidth", stream, 64 + random.nextInt(192));
        added.add("bandwidth");
      }
      if (random.nextInt(3) == 0) {
        proxy.toxics().limitData("drop", stream, 512 + random.nextInt(1536));
        added.add("drop");
      }
      if (random.nextInt(3) == 0) {
        proxy.toxics().resetPeer("reset", stream, random.nextInt(20));
        added.add("reset");
      }
      if (random.nextInt(4) == 0) {
        proxy.toxics().timeout("stall", stream, 0);
        added.add("stall");
      }
      if (random.nextBoolean()) {
        proxy.toxics().slicer("slicer", stream, 64, 16).setDelay(50);
        added.add("slicer");
      }
      if (random.nextBoolean()) {
        proxy.toxics().slowClose("slow-close", stream, 20);
        added.add("slow-close");
      }
      if (random.nextInt(4) == 0) { // a cut, as on the tracker's proxy
        proxy.disable();
        proxy.enable();
      }
      if (added.contains("latency") && random.nextBoolean()) {
        // A new toxicity rolls again: off, the latency hands on what it holds. (Not done to the
        // toxics that drop data: rolled off, they let later bytes through after a hole, as in
        // Toxiproxy, which the prefix check below would take for corruption.)
        proxy.toxics().get("latency").setToxicity(0.5f);
      }
      Collections.shuffle(added, random);
      current = stream + " " + added;
      for (String name : added) {
        proxy.toxics().get(name).remove();
        current = current + " -" + name;
      }
      round++;
    }
    return round;
  }

  /**
   * Until {@code deadline}: connect, exchange a few chunks, close. A refused, cut, reset or stalled
   * connection is what the toxics are for; bytes that differ from what was sent are recorded.
   */
  private static void churn(
      int port, long seed, long deadline, Queue<String> corrupted, AtomicLong echoedBytes) {
    Random random = new Random(seed);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(LOOPBACK, port)) {
        socket.setSoTimeout(1_000);
        int exchanges = 1 + random.nextInt(4);
        for (int i = 0; i < exchanges; i++) {
          byte[] sent = new byte[1 + random.nextInt(16 * 1024)];
          random.nextBytes(sent);
          socket.getOutputStream().write(sent);
          byte[] received = readUpTo(socket.getInputStream(), sent.length);
          if (!Arrays.equals(received, Arrays.copyOf(sent, received.length))) {
            int at = Arrays.mismatch(received, Arrays.copyOf(sent, received.length));
            corrupted.add(
                "seed "
                    + seed
                    + " exchange "
                    + i
                    + ": "
                    + received.length
                    + "/"
                    + sent.length
                    + " bytes back differ at "
                    + at
                    + " during "
                    + current);
          }
          echoedBytes.addAndGet(received.length);
          if (received.length < sent.length) {
            break; // cut, reset or stalled
          }
        }
      } catch (IOException refusedOrReset) {
        // the proxy disabled, or the connection reset while writing
      }
    }
  }

  /** Up to {@code length} bytes: fewer when the stream ends, is reset or stalls. */
  private static byte[] readUpTo(InputStream in, int length) {
    byte[] buffer = new byte[length];
    int read = 0;
    try {
      while (read < length) {
        int n = in.read(buffer, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
    } catch (IOException resetOrStalled) {
      // what came before still counts
    }
    return Arrays.copyOf(buffer, read);
  }
}
