package p2psync.simulation.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import p2psync.common.SyncConfig;
import p2psync.common.delta.DeltaRequest;
import p2psync.simulation.Blocking;
import p2psync.tracker.TrackerOptions;
import p2psync.tracker.TrackerVerticle;

/**
 * A load generator holding N peer connections to one tracker, all of a converged swarm: every peer
 * advertises the same names with the same mtimes, then sends a KeepAlive every interval (phases
 * spread evenly), while a trickle of peers re-advertises its list with one file changed, which
 * changes the directory (v2 peers as an incremental advertisement naming that file, seed peers
 * their whole list again). Measures the time from writing a message to reading the whole directory
 * line back, on loopback, and the tracker's CPU and memory.
 *
 * <p>The tracker runs in a JVM of its own by default ({@link TrackerMain}, same class path), so its
 * CPU, memory and GC pauses are its own; the two processes still share the machine's cores.
 * Bounded: it stops by itself after ramp-up + one interval of warm-up + the measured duration.
 */
public final class TrackerBench {
  private static final long BASE_MTIME = 1_700_000_000L;
  private static final int FIRST_PORT = 10_000;

  /**
   * What to run. {@code trickle}: re-advertisements per second in the whole swarm (steady state
   * only). {@code storm}: every peer joins within one keepalive interval of a freshly started
   * tracker, each listing the same names with mtimes of its own, as after a tracker restart;
   * measured from the first join for one interval plus {@code duration}. {@code rounds}: how many
   * times to run it against the same tracker, each with new connections (the first meets a cold
   * JVM, later ones a warm one). {@code v2}: every peer speaks v2 with directory deltas and pushes
   * (docs/protocol-v2.md): hashed entries, KeepAlives naming the version held, a reply or push
   * carrying only what changed.
   */
  public record Options(
      int peers,
      int names,
      Duration keepAlive,
      Duration duration,
      double trickle,
      boolean inProcess,
      String trackerJvmOptions,
      boolean storm,
      String trackerClassPath,
      int rounds,
      boolean v2) {
    public Options {
      if (peers < 1 || names < 0 || rounds < 1) {
        throw new IllegalArgumentException("peers and rounds must be at least 1, names at least 0");
      }
    }
  }

  /** Latency figures of one kind of message, in nanoseconds. */
  public record Latency(int count, long p50, long p99, long max) {
    static Latency of(long[] values, int count) {
      long[] sorted = Bench.sorted(values, count);
      return new Latency(
          count,
          Bench.quantile(sorted, 0.50),
          Bench.quantile(sorted, 0.99),
          count == 0 ? 0 : sorted[count - 1]);
    }

    String format() {
      return String.format(
          "n=%d p50 %s, p99 %s, max %s", count, Bench.ms(p50), Bench.ms(p99), Bench.ms(max));
    }
  }

  /**
   * Everything measured. In a storm, the window starts with the first join and {@code keepAlive} is
   * every KeepAlive.
   */
  public record Result(
      int peers,
      int names,
      long replyBytes,
      Latency init,
      Latency keepAlive,
      Latency readvertise,
      Latency keepAliveAfterStorm,
      double rampSeconds,
      double windowSeconds,
      double trackerCpuSeconds,
      long trackerRss,
      long trackerPeakRss,
      String trackerCpuBreakdown,
      double loadCpuSeconds,
      int missingReplies,
      int closedByTracker,
      int failedConnects,
      int failedConnections,
      boolean separateProcess,
      boolean storm,
      boolean v2,
      long windowBytes,
      long pushes,
      long pushBytes,
      long largestLine) {

    public void print(PrintStream out) {
      out.printf(
          "tracker%s%s: %d peers x %d names, %s %d bytes, tracker in %s%n",
          storm ? " storm" : "",
          v2 ? " v2 (deltas, push)" : "",
          peers,
          names,
          v2 ? "last line read" : "directory line",
          replyBytes,
          separateProcess ? "its own JVM" : "the load generator's JVM");
      if (storm) {
        out.printf(
            "  every peer joined within one interval; %d Inits answered, the last after %.1f s%n",
            init.count(), rampSeconds);
        out.printf("  Init replies: %s (target p99 <= 250 ms)%n", init.format());
        out.printf("  KeepAlive replies, all: %s%n", keepAlive.format());
        out.printf(
            "  KeepAlive replies after the storm: %s (target p99 <= 20 ms)%n",
            keepAliveAfterStorm.format());
      } else {
        out.printf(
            "  ramp-up (Init of every peer) %.1f s; Init replies: %s%n",
            rampSeconds, init.format());
        out.printf(
            "  measured %.1f s: KeepAlive replies: %s (issue 14: p99 <= 10 ms)%n",
            windowSeconds, keepAlive.format());
        out.printf("  re-advertisements (directory changed): %s%n", readvertise.format());
      }
      long replies = init.count() + keepAlive.count() + readvertise.count();
      out.printf(
          "  replies: %.0f/s; pushes: %.0f/s; tracker egress %.3f MB/s (every line read in the"
              + " window)%n",
          replies / windowSeconds, pushes / windowSeconds, windowBytes / 1e6 / windowSeconds);
      if (v2) {
        out.printf(
            "  pushes: %.0f bytes each on average (%.3f MB/s); largest line read %d bytes%n",
            pushes == 0 ? 0.0 : pushBytes / (double) pushes,
            pushBytes / 1e6 / windowSeconds,
            largestLine);
      }
      out.printf(
          "  tracker CPU %.2f s in %.1f s (%.0f%% of one core); RSS %s, peak %s%n",
          trackerCpuSeconds,
          windowSeconds,
          100 * trackerCpuSeconds / windowSeconds,
          ProcStats.mib(trackerRss),
          ProcStats.mib(trackerPeakRss));
      out.printf("  tracker CPU by thread: %s%n", trackerCpuBreakdown);
      out.printf(
          "  load generator CPU %.2f s (%.0f%% of one core)%n",
          loadCpuSeconds, 100 * loadCpuSeconds / windowSeconds);
      out.printf(
          "  failed connections: %d of %d (connect failed %d, closed by the tracker %d, Init unanswered %d); "
              + "replies missing at the end: %d%n",
          failedConnections,
          peers,
          failedConnects,
          closedByTracker,
          peers - failedConnects - init.count(),
          missingReplies);
    }
  }

  /** Collects latencies from every event loop. */
  private static final class Recorder {
    private long[] values = new long[1024];
    private int count;

    synchronized void add(long nanos) {
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = nanos;
    }

    synchronized Latency latency() {
      return Latency.of(values, count);
    }
  }

  private final Options options;
  private final Recorder initLatency = new Recorder();
  private final Recorder keepAliveLatency = new Recorder();
  private final Recorder keepAliveAfterStorm = new Recorder();
  private final Recorder readvertiseLatency = new Recorder();
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicInteger pendingInWindow = new AtomicInteger();
  private final AtomicInteger initReplies = new AtomicInteger();
  private final AtomicInteger closedByTracker = new AtomicInteger();
  private final AtomicInteger failedConnects = new AtomicInteger();
  private final AtomicLong replyBytes = new AtomicLong();
  private final AtomicInteger trickleVersion = new AtomicInteger();
  private final AtomicLong windowBytes = new AtomicLong();
  private final AtomicLong pushes = new AtomicLong();
  private final AtomicLong pushBytes = new AtomicLong();
  private final AtomicLong largestLine = new AtomicLong();
  private final String filesJson;

  /** {@code , {"name": "shared-file-000001.dat", "mtime": } for each name. */
  private final String[] entryPrefixes;

  /** What follows an entry's mtime: its size and hash in v2, else the closing brace. */
  private final String entrySuffix;

  private volatile long windowStart = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MAX_VALUE;
  private volatile boolean stopping;
  private volatile long stormOver = Long.MAX_VALUE;
  private Map<String, Double> trackerThreads0 = Map.of();
  private final List<Peer> peers = new ArrayList<>();

  private TrackerBench(Options options) {
    this.options = options;
    this.entryPrefixes = new String[options.names()];
    for (int i = 0; i < options.names(); i++) {
      entryPrefixes[i] = (i > 0 ? ", " : "") + "{\"name\": \"" + name(i) + "\", \"mtime\": ";
    }
    this.entrySuffix = options.v2() ? ", \"size\": 1024, \"sha256\": \"" + sha(0) + "\"}" : "}";
    this.filesJson = files(-1, 0);
  }

  /** Runs the benchmark; with several rounds, prints all but the last, which it returns. */
  public static Result run(Options options, PrintStream out) throws Exception {
    return execute(options, out);
  }

  /**
   * The {@code "files": [...]} part of an Init; entry {@code bumped} (or none) carries a newer
   * mtime.
   */
  private String files(int bumped, int version) {
    StringBuilder json = new StringBuilder(options.names() * 48).append("\"files\": [");
    for (int i = 0; i < options.names(); i++) {
      if (i > 0) {
        json.append(", ");
      }
      json.append("{\"name\": \"")
          .append(name(i))
          .append("\", \"mtime\": ")
          .append(i == bumped ? BASE_MTIME + version : BASE_MTIME);
      if (options.v2()) {
        // a new version: another hash, so it is a version of its own with one holder
        json.append(", \"size\": 1024, \"sha256\": \"")
            .append(sha(i == bumped ? version : 0))
            .append("\"}");
      } else {
        json.append('}');
      }
    }
    return json.append("]}\n").toString();
  }

  /**
   * A storm peer's list: the same names, each with an mtime of its own (so winners keep changing).
   */
  private String stormFiles() {
    // Thousands of 1,000-entry lists in a few seconds: built from prepared pieces, so the load
    // generator leaves the cores to the tracker.
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder json = new StringBuilder(options.names() * 48).append("\"files\": [");
    for (int i = 0; i < options.names(); i++) {
      json.append(entryPrefixes[i])
          .append(BASE_MTIME + random.nextInt(1_000_000))
          .append(entrySuffix);
    }
    return json.append("]}\n").toString();
  }

  /** A well-formed SHA-256 (64 hex digits) per version number. */
  static String sha(int version) {
    return String.format("%064x", version);
  }

  /** What a message opens with: the port, and in v2 the delta field (the version held). */
  private String head(int port, long epoch, long version) {
    if (!options.v2()) {
      return "{\"port\": " + port;
    }
    return "{\"port\": "
        + port
        + ", \"v\": 2, "
        + new DeltaRequest(epoch, version, true).encodeField();
  }

  static String name(int i) {
    return String.format("shared-file-%06d.dat", i);
  }

  private enum Kind {
    INIT,
    KEEPALIVE,
    READVERTISE
  }

  /**
   * One simulated peer: its connection, its messages in flight (replies come in order), its timer.
   */
  private final class Peer {
    final int port;
    final Vertx vertx;
    NetSocket socket;
    Context context;
    final ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // {sentAt, kind}
    long lineBytes;

    /** v2: the directory version held, from the marks of the lines read. */
    long epoch;

    long version;

    /** v2: the first bytes of the line being read, where its mark is. */
    final StringBuilder lineHead = new StringBuilder(128);

    long timer = -1;

    /** Read at the end, from the bench's thread. */
    volatile boolean initAnswered;

    volatile boolean lost;

    Peer(Vertx vertx, int port) {
      this.vertx = vertx;
      this.port = port;
    }

    void connected(NetSocket s) {
      socket = s;
      context = Vertx.currentContext();
      connected.incrementAndGet();
      s.handler(this::read);
      s.closeHandler(
          v -> {
            if (!stopping) {
              lost = true;
              closedByTracker.incrementAndGet();
            }
          });
      send(Kind.INIT, head(port, 0, 0) + ", " + (options.storm() ? stormFiles() : filesJson));
    }

    /** v2: the version the line just read brings (a reply or a push, full or delta). */
    void readMark() {
      java.util.regex.Matcher mark = MARK.matcher(lineHead);
      if (mark.find()) {
        epoch = Long.parseLong(mark.group(1));
        version = Long.parseLong(mark.group(2));
      }
      lineHead.setLength(0);
    }

    void startKeepAlives(long phaseMillis) {
      if (timer != -1) {
        return;
      }
      long interval = options.keepAlive().toMillis();
      timer =
          vertx.setTimer(
              Math.max(1, phaseMillis),
              t -> {
                timer = vertx.setPeriodic(0, interval, p -> tick());
              });
    }

    void tick() {
      if (!stopping) {
        send(Kind.KEEPALIVE, head(port, epoch, version) + "}\n");
      }
    }

    void readvertise() {
      int version = trickleVersion.incrementAndGet();
      int bumped = ThreadLocalRandom.current().nextInt(options.names());
      if (options.v2()) {
        // a v2 peer tells a delta tracker only what changed (an incremental advertisement)
        send(
            Kind.READVERTISE,
            head(port, epoch, this.version)
                + ", \"changed\": [{\"name\": \""
                + name(bumped)
                + "\", \"mtime\": "
                + (BASE_MTIME + version)
                + ", \"size\": 1024, \"sha256\": \""
                + sha(version)
                + "\"}]}\n");
      } else {
        send(Kind.READVERTISE, head(port, epoch, this.version) + ", " + files(bumped, version));
      }
    }

    void send(Kind kind, String line) {
      long now = System.nanoTime();
      if (inWindow(now)) {
        pendingInWindow.incrementAndGet();
      }
      inFlight.add(new long[] {now, kind.ordinal()});
      socket.write(Buffer.buffer(line));
    }

    void read(Buffer data) {
      long now = System.nanoTime();
      ByteBuf bytes = ((BufferInternal) data).getByteBuf();
      int from = bytes.readerIndex();
      int end = bytes.writerIndex();
      while (from < end) {
        int newline = bytes.indexOf(from, end, (byte) '\n');
        int upTo = newline < 0 ? end : newline;
        if (options.v2() && lineHead.length() < 128) {
          for (int i = from; i < upTo && lineHead.length() < 128; i++) {
            lineHead.append((char) bytes.getByte(i));
          }
        }
        if (newline < 0) {
          lineBytes += end - from;
          return;
        }
        lineBytes += newline + 1 - from;
        from = newline + 1;
        replyBytes.set(lineBytes);
        long thisLine = lineBytes;
        if (inWindow(now)) {
          windowBytes.addAndGet(thisLine);
          largestLine.accumulateAndGet(thisLine, Math::max);
        }
        lineBytes = 0;
        if (options.v2()) {
          readMark();
        }
        // In v2 a push may come between a message and its reply; a line is taken for the reply
        // when one is due (a push landing inside a reply's round trip shortens that sample).
        long[] sent = inFlight.poll();
        if (sent == null) {
          if (inWindow(now)) {
            pushes.incrementAndGet();
            pushBytes.addAndGet(thisLine);
          }
          continue; // a push (v2), or a reply we did not ask for: not ours to judge here
        }
        long latency = now - sent[0];
        if (inWindow(sent[0])) {
          pendingInWindow.decrementAndGet();
        }
        Kind kind = Kind.values()[(int) sent[1]];
        switch (kind) {
          case INIT -> {
            initLatency.add(latency);
            initAnswered = true;
            initReplies.incrementAndGet();
            // Keepalives from the Init reply on, as a peer does; before the window too, or a long
            // ramp-up would let the first peers expire.
            startKeepAlives(ThreadLocalRandom.current().nextLong(options.keepAlive().toMillis()));
          }
          case KEEPALIVE -> {
            if (inWindow(sent[0])) {
              keepAliveLatency.add(latency);
              if (sent[0] > stormOver) {
                keepAliveAfterStorm.add(latency);
              }
            }
          }
          case READVERTISE -> {
            if (inWindow(sent[0])) {
              readvertiseLatency.add(latency);
            }
          }
        }
      }
    }
  }

  private static final java.util.regex.Pattern MARK =
      java.util.regex.Pattern.compile("\"d\": \\[(\\d+), \\d+, (\\d+), ");

  /** Starts the tracker, runs every round against it (a fresh load generator each), stops it. */
  private static Result execute(Options options, PrintStream out) throws Exception {
    Process trackerProcess = null;
    Vertx trackerVertx = null;
    try {
      int port;
      if (options.inProcess()) {
        trackerVertx = Vertx.vertx();
        TrackerVerticle tracker =
            new TrackerVerticle(
                new TrackerOptions()
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setSync(new SyncConfig().setKeepAliveInterval(options.keepAlive())));
        Blocking.await(trackerVertx.deployVerticle(tracker), Duration.ofSeconds(30));
        port = tracker.actualPort();
      } else {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (options.trackerJvmOptions() != null && !options.trackerJvmOptions().isBlank()) {
          command.addAll(Arrays.asList(options.trackerJvmOptions().trim().split("\\s+")));
        }
        String classPath =
            options.trackerClassPath() == null || options.trackerClassPath().isBlank()
                ? System.getProperty("java.class.path")
                : options.trackerClassPath();
        command.addAll(
            List.of(
                "-cp",
                classPath,
                TrackerMain.class.getName(),
                Long.toString(options.keepAlive().toMillis())));
        trackerProcess =
            new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(trackerProcess.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        while (first != null && !first.startsWith("PORT ")) {
          first = lines.readLine(); // e.g. a flight recorder's greeting, from --tracker-jvm-options
        }
        if (first == null) {
          throw new IllegalStateException("the tracker process did not start (" + command + ")");
        }
        port = Integer.parseInt(first.substring(5).trim());
      }
      ProcessHandle trackerHandle =
          trackerProcess == null ? ProcessHandle.current() : trackerProcess.toHandle();
      Result result = null;
      for (int round = 1; round <= options.rounds(); round++) {
        if (round > 1) {
          result.print(out);
          // The previous round's peers have disconnected: let the tracker take them out first.
          waitUntilIdle(trackerHandle);
          out.printf(
              "round %d of %d, the tracker warm from the ones before:%n", round, options.rounds());
        }
        out.printf(
            "tracker on 127.0.0.1:%d (%s); %s %d peers ...%n",
            port,
            trackerProcess == null ? "in process" : "pid " + trackerHandle.pid(),
            options.storm() ? "a join storm of" : "ramping up",
            options.peers());
        result = new TrackerBench(options).round(out, port, trackerHandle, trackerProcess != null);
      }
      return result;
    } finally {
      if (trackerVertx != null) {
        Blocking.await(trackerVertx.close(), Duration.ofSeconds(30));
      }
      if (trackerProcess != null) {
        trackerProcess.getOutputStream().close();
        if (!trackerProcess.waitFor(10, TimeUnit.SECONDS)) {
          trackerProcess.destroyForcibly();
        }
      }
    }
  }

  /** Until the tracker used under 5% of a core for half a second (at most 30 s). */
  private static void waitUntilIdle(ProcessHandle tracker) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Duration before = ProcStats.cpuTime(tracker);
    while (System.nanoTime() < deadline && before != null) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      Duration after = ProcStats.cpuTime(tracker);
      if (after == null || after.minus(before).toMillis() < 25) {
        return;
      }
      before = after;
    }
  }

  /** One round: its own load generator and connections, all closed at the end. */
  private Result round(PrintStream out, int port, ProcessHandle trackerHandle, boolean separate) {
    Vertx load = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      NetClient client =
          load.createNetClient(
              new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000));
      Result result =
          options.storm()
              ? storm(out, load, client, port, trackerHandle, separate)
              : steady(out, load, client, port, trackerHandle, separate);
      Blocking.await(client.close(), Duration.ofSeconds(30));
      return result;
    } finally {
      stopping = true;
      Blocking.await(load.close(), Duration.ofSeconds(30));
    }
  }

  private void connect(NetClient client, int port, Peer peer, int index) {
    client
        .connect(port, "127.0.0.1")
        .onSuccess(peer::connected)
        .onFailure(
            e -> {
              System.err.println("connection " + index + " failed: " + e.getMessage());
              failedConnects.incrementAndGet();
              initReplies.incrementAndGet(); // do not wait for it
            });
  }

  /**
   * Ramp-up with at most 100 Inits in flight, one interval of warm-up, then the measured window.
   */
  private Result steady(
      PrintStream out,
      Vertx load,
      NetClient client,
      int port,
      ProcessHandle trackerHandle,
      boolean separate) {
    long rampStart = System.nanoTime();
    Duration rampLimit = Duration.ofSeconds(60 + options.peers() / 50);
    for (int i = 0; i < options.peers(); i++) {
      Peer peer = new Peer(load, FIRST_PORT + i);
      peers.add(peer);
      int index = i;
      // At most 100 Inits in flight, so the ramp measures the tracker rather than a burst.
      Blocking.waitFor(
          () -> index - initReplies.get() < 100, Duration.ofMillis(1), rampLimit, "Init replies");
      connect(client, port, peer, index);
    }
    Blocking.waitFor(
        () -> initReplies.get() >= options.peers(),
        Duration.ofMillis(5),
        rampLimit,
        "all Init replies");
    double rampSeconds = (System.nanoTime() - rampStart) / 1e9;

    long interval = options.keepAlive().toMillis();
    // One interval of warm-up, so every peer is in its keepalive rhythm, then the window.
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(interval));
    Duration trackerCpu0 = ProcStats.cpuTime(trackerHandle);
    Duration loadCpu0 = ProcStats.cpuTime(ProcessHandle.current());
    trackerThreads0 = ProcStats.cpuByThreadKind(trackerHandle.pid());
    windowStart = System.nanoTime();
    long trickleTimer = -1;
    if (options.trickle() > 0) {
      long every = Math.max(1, Math.round(1000 / options.trickle()));
      trickleTimer =
          load.setPeriodic(
              every,
              t -> {
                Peer peer = peers.get(ThreadLocalRandom.current().nextInt(peers.size()));
                if (peer.context != null) {
                  peer.context.runOnContext(v -> peer.readvertise());
                }
              });
    }
    out.printf(
        "  %d peers connected in %.1f s; measuring for %s ...%n",
        connected.get(), rampSeconds, options.duration());
    LockSupport.parkNanos(options.duration().toNanos());
    load.cancelTimer(trickleTimer);
    return finish(rampSeconds, trackerHandle, trackerCpu0, loadCpu0, separate);
  }

  /**
   * Every peer connects and sends its Init at an even pace within one keepalive interval, as after
   * a tracker restart, then keeps its keepalive rhythm for the measured duration. Everything
   * counts, the cold tracker included.
   */
  private Result storm(
      PrintStream out,
      Vertx load,
      NetClient client,
      int port,
      ProcessHandle trackerHandle,
      boolean separate) {
    Duration trackerCpu0 = ProcStats.cpuTime(trackerHandle);
    Duration loadCpu0 = ProcStats.cpuTime(ProcessHandle.current());
    trackerThreads0 = ProcStats.cpuByThreadKind(trackerHandle.pid());
    long interval = options.keepAlive().toNanos();
    windowStart = System.nanoTime();
    for (int i = 0; i < options.peers(); i++) {
      Peer peer = new Peer(load, FIRST_PORT + i);
      peers.add(peer);
      long due = windowStart + interval * i / options.peers();
      LockSupport.parkNanos(due - System.nanoTime());
      connect(client, port, peer, i);
    }
    Duration limit = options.keepAlive().plus(options.duration());
    // A tracker that cannot absorb the storm is a result, not an error: Inits still unanswered when
    // the measured time is over count as failed connections.
    long deadline = windowStart + limit.toNanos();
    while (initReplies.get() < options.peers() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    stormOver = System.nanoTime();
    double rampSeconds = (stormOver - windowStart) / 1e9;
    out.printf(
        "  %d Inits answered, the last after %.1f s; measuring until %s after the first ...%n",
        initReplies.get() - failedConnects.get(), rampSeconds, limit);
    LockSupport.parkNanos(windowStart + limit.toNanos() - System.nanoTime());
    return finish(rampSeconds, trackerHandle, trackerCpu0, loadCpu0, separate);
  }

  /**
   * Ends the window, lets replies to messages sent in it arrive (bounded), and collects the
   * figures.
   */
  private Result finish(
      double rampSeconds,
      ProcessHandle trackerHandle,
      Duration trackerCpu0,
      Duration loadCpu0,
      boolean separate) {
    windowEnd = System.nanoTime();
    Duration trackerCpu1 = ProcStats.cpuTime(trackerHandle);
    Duration loadCpu1 = ProcStats.cpuTime(ProcessHandle.current());
    long trackerRss = ProcStats.statusBytes(trackerHandle.pid(), "VmRSS");
    long trackerHwm = ProcStats.statusBytes(trackerHandle.pid(), "VmHWM");
    String breakdown =
        ProcStats.cpuBreakdown(trackerThreads0, ProcStats.cpuByThreadKind(trackerHandle.pid()));
    long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < grace && pendingInWindow.get() > 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    stopping = true;
    return new Result(
        options.peers(),
        options.names(),
        replyBytes.get(),
        initLatency.latency(),
        keepAliveLatency.latency(),
        readvertiseLatency.latency(),
        keepAliveAfterStorm.latency(),
        rampSeconds,
        (windowEnd - windowStart) / 1e9,
        seconds(trackerCpu0, trackerCpu1),
        trackerRss,
        trackerHwm,
        breakdown,
        seconds(loadCpu0, loadCpu1),
        pendingInWindow.get(),
        closedByTracker.get(),
        failedConnects.get(),
        (int) peers.stream().filter(p -> !p.initAnswered || p.lost).count(),
        separate,
        options.storm(),
        options.v2(),
        windowBytes.get(),
        pushes.get(),
        pushBytes.get(),
        largestLine.get());
  }

  private boolean inWindow(long sentAt) {
    return sentAt >= windowStart && sentAt < windowEnd;
  }

  private static double seconds(Duration before, Duration after) {
    return before == null || after == null
        ? Double.NaN
        : (after.toNanos() - before.toNanos()) / 1e9;
  }
}
