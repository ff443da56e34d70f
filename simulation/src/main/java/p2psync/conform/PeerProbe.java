package p2psync.conform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import p2psync.common.DirectoryEntry;
import p2psync.simulation.external.ExternalProgram;

/**
 * What a peer case works with: a fresh folder, the peer under test started in it against a {@link
 * PlayedTracker}, {@link PlayedSource}s to name in the directory, the timings, and the case's
 * transcript. One per case; {@link #close()} stops the program and every played party.
 */
public final class PeerProbe implements Probe {
  /**
   * How the peer under test is run: the command's words (with {@code {host}} and {@code {port}}),
   * the address to play the tracker on, and what to add to its environment.
   */
  public record Settings(
      List<String> argv,
      String host,
      Map<String, String> env,
      Duration startupTimeout,
      Timings timings,
      boolean hugeFile) {}

  /**
   * How long the kit waits. {@code keepAlive} and {@code keepAliveTolerance}: the interval the seed
   * sets (5 s) and how far off a KeepAlive may be; {@code transfer}: for a pull to complete; {@code
   * settle}: watching that something does not happen; {@code stall}: for a peer to give up on a
   * stalled source; {@code reconnect}: for a peer to exit or reconnect after its tracker closes;
   * {@code drip}: between dripped bytes; {@code headerGap}: between a header and its body.
   */
  public record Timings(
      Duration keepAlive,
      Duration keepAliveTolerance,
      Duration transfer,
      Duration settle,
      Duration stall,
      Duration reconnect,
      Duration drip,
      Duration headerGap) {
    public static final Timings DEFAULT =
        new Timings(
            Duration.ofSeconds(5),
            Duration.ofMillis(1500),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1),
            Duration.ofSeconds(90),
            Duration.ofSeconds(30),
            Duration.ofMillis(2),
            // long enough that a peer reads a header before its body arrives even when busy
            Duration.ofMillis(200));

    /** The seed's interval with the stated tolerance, for a wait that spans one KeepAlive. */
    Duration nextKeepAlive() {
      return keepAlive.plus(keepAliveTolerance).plus(keepAliveTolerance);
    }
  }

  private static final Duration POLL = Duration.ofMillis(10);

  /** Starts of a program that exits before its first line, before the case fails. */
  private static final int START_ATTEMPTS = 2;

  private final Settings settings;
  private final Path root;
  private final Path folder;
  private final Path log;
  private final Transcript transcript = new Transcript();
  private final List<AutoCloseable> parties = new ArrayList<>();
  private PlayedTracker tracker;
  private ExternalProgram program;
  private volatile PlayedTracker.Message lastInit;

  PeerProbe(Settings settings, Path root, Path log) throws IOException {
    this.settings = settings;
    this.root = root;
    this.folder = root.resolve("folder");
    this.log = log;
    Files.createDirectories(folder);
  }

  Timings timings() {
    return settings.timings();
  }

  boolean hugeFile() {
    return settings.hugeFile();
  }

  /** The peer's folder, its working directory. */
  Path folder() {
    return folder;
  }

  /** The folder's parent, which the peer must never serve nor write. */
  Path outside() {
    return root;
  }

  @Override
  public Transcript transcript() {
    return transcript;
  }

  /** Writes {@code name} into the folder with {@code mtime} (seconds). */
  Path write(String name, byte[] body, long mtime) throws IOException {
    Path file = folder.resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, body);
    Files.setLastModifiedTime(file, FileTime.from(mtime, TimeUnit.SECONDS));
    return file;
  }

  /** {@code size} bytes of every value, different for each {@code label}. */
  static byte[] bytes(String label, int size) {
    byte[] body = new byte[size];
    int salt = label.hashCode();
    for (int i = 0; i < size; i++) {
      body[i] = (byte) (i * 31 + salt);
    }
    return body;
  }

  /** A played peer that serves files. */
  PlayedSource source(String label) throws IOException {
    PlayedSource source = new PlayedSource(label, settings.host(), transcript);
    parties.add(source);
    return source;
  }

  /** A port that refuses connections: bound by the OS, then released. */
  int deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Starts the tracker and the peer, and waits for the peer's first message. Every message is
   * answered with the peer's own files (as its last Init listed them) plus what {@code others}
   * gives for that message.
   */
  PlayedTracker.Message start(Function<PlayedTracker.Message, Map<String, DirectoryEntry>> others)
      throws IOException, InterruptedException {
    tracker = new PlayedTracker(settings.host(), transcript, m -> reply(m, others));
    parties.add(tracker);
    List<String> argv = ExternalProgram.expand(settings.argv(), settings.host(), tracker.port());
    PlayedTracker.Message first = null;
    for (int attempt = 1; first == null; attempt++) {
      transcript.sent("kit", "started " + String.join(" ", argv) + " in " + folder);
      program = ExternalProgram.start(argv, folder, settings.env(), log);
      first = firstLine();
      if (first == null && !program.isAlive() && attempt < START_ATTEMPTS) {
        // peers of cases played side by side may race for the same port from 8000 (two binds
        // with SO_REUSEADDR succeed, the second listen fails): that is the kit's doing, not theirs
        transcript.received(
            "kit",
            "the peer exited with code "
                + program.exitCode()
                + " before its first line; starting it again once");
        continue;
      }
      if (first == null) {
        throw new IOException(
            (program.isAlive()
                    ? "the peer sent nothing to the tracker within "
                        + settings.startupTimeout().toMillis()
                        + " ms"
                    : "the peer exited with code "
                        + program.exitCode()
                        + " before sending anything"
                        + (attempt > 1 ? ", started " + attempt + " times" : ""))
                + "; see "
                + log);
      }
    }
    return first;
  }

  /** The program's first line, or null when it exits or the startup timeout passes first. */
  private PlayedTracker.Message firstLine() throws InterruptedException {
    PlayedTracker.Message first = null;
    long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
    // in slices, so a program that exits at once is reported at once, not at the deadline
    while (first == null && program.isAlive() && System.nanoTime() < deadline) {
      first = tracker.next(Duration.ofMillis(100));
    }
    // a line sent just before the program ended still counts
    return first != null ? first : tracker.next(Duration.ZERO);
  }

  /** Starts with a directory that names only {@code others}, the same for every message. */
  PlayedTracker.Message start(Map<String, DirectoryEntry> others)
      throws IOException, InterruptedException {
    return start(m -> others);
  }

  private Map<String, DirectoryEntry> reply(
      PlayedTracker.Message message,
      Function<PlayedTracker.Message, Map<String, DirectoryEntry>> others) {
    if (!message.hasPort()) {
      return null;
    }
    if (message.isInit()) {
      lastInit = message;
    }
    Map<String, DirectoryEntry> entries = new LinkedHashMap<>();
    PlayedTracker.Message init = lastInit;
    if (init != null) {
      entries.putAll(PlayedTracker.advertised(init));
    }
    Map<String, DirectoryEntry> theirs = others.apply(message);
    if (theirs != null) {
      entries.putAll(theirs);
    }
    return entries;
  }

  PlayedTracker tracker() {
    return tracker;
  }

  ExternalProgram program() {
    return program;
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; true when it held. */
  static boolean await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /**
   * Watches for {@code duration} that {@code bad} never holds; returns false as soon as it does.
   * The kit's way to show an absence: polling, since another process's files give no event.
   */
  static boolean never(BooleanSupplier bad, Duration duration) {
    return !await(bad, duration);
  }

  /** True when {@code name} is in the folder with exactly {@code body}. */
  boolean holds(String name, byte[] body) {
    Path file = folder.resolve(name);
    try {
      return Files.isRegularFile(file)
          && Files.size(file) == body.length
          && Arrays.equals(Files.readAllBytes(file), body);
    } catch (IOException e) {
      // being written or renamed right now: not there yet
      return false;
    }
  }

  boolean exists(String name) {
    return Files.exists(folder.resolve(name));
  }

  /** The file's mtime in whole seconds, or -1 when it cannot be read. */
  long mtime(String name) {
    try {
      return Files.getLastModifiedTime(folder.resolve(name)).to(TimeUnit.SECONDS);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Names in the folder (top level) that are not in {@code expected}: partial or stray files. */
  Set<String> strays(Set<String> expected) {
    Set<String> strays = new TreeSet<>();
    try (Stream<Path> files = Files.list(folder)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> !expected.contains(n))
          .forEach(strays::add);
    } catch (IOException e) {
      strays.add("(folder unreadable: " + e + ")");
    }
    return strays;
  }

  /**
   * Connects to the peer's file port, sends {@code request} and reads until the peer closes, at
   * most {@code limit} bytes: what came back, or what ended it, for the evidence.
   */
  Answer ask(int port, byte[] request, long limit) throws IOException {
    transcript.sent(
        "kit", "to the peer's file port: " + new String(request, StandardCharsets.UTF_8));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(settings.host(), port), 5_000);
      socket.setSoTimeout((int) timings().transfer().toMillis());
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] chunk = new byte[8192];
      try {
        for (int n; (n = in.read(chunk)) > 0; ) {
          got.write(chunk, 0, n);
          if (got.size() > limit) {
            return record(new Answer(got.toByteArray(), "more than " + limit + " bytes"));
          }
        }
        return record(new Answer(got.toByteArray(), null));
      } catch (SocketTimeoutException e) {
        return record(new Answer(got.toByteArray(), "timed out"));
      } catch (IOException e) {
        return record(new Answer(got.toByteArray(), e.toString()));
      }
    }
  }

  private Answer record(Answer answer) {
    transcript.received("peer", answer.toString());
    return answer;
  }

  /** What a request to the peer's file port got: the bytes, and why reading stopped if not EOF. */
  record Answer(byte[] bytes, String error) {
    /** True when this is exactly {@code Content-Length: N\n} and the N bytes of {@code body}. */
    boolean is(byte[] body) {
      byte[] header = PlayedSource.header(body.length);
      return error == null
          && bytes.length == header.length + body.length
          && Arrays.equals(bytes, 0, header.length, header, 0, header.length)
          && Arrays.equals(bytes, header.length, bytes.length, body, 0, body.length);
    }

    @Override
    public String toString() {
      int nl = indexOf(bytes, (byte) '\n');
      String head =
          nl < 0
              ? "no header line (" + bytes.length + " bytes)"
              : new String(bytes, 0, nl, StandardCharsets.UTF_8)
                  + " + "
                  + (bytes.length - nl - 1)
                  + " bytes";
      return head + (error == null ? ", then closed" : ", then " + error);
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    if (program != null) {
      program.close();
    }
    for (AutoCloseable party : parties) {
      try {
        party.close();
      } catch (Exception e) {
        // a party that cannot close holds only a port, released at exit
      }
    }
  }
}
