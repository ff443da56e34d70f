package p2psync.conform;

import static p2psync.conform.PeerProbe.await;
import static p2psync.conform.PeerProbe.bytes;
import static p2psync.conform.PeerProbe.never;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import p2psync.common.DirectoryEntry;

/**
 * The peer catalogue: what a seed peer must (and may) do, one row per case. The seed report's
 * TC0-TC6 come first, then the hostile and edge cases. Each case runs the peer in a fresh folder
 * against a played tracker and played peers; only a required case's FAIL fails the run.
 */
public final class PeerCases {
  /** The mtimes every case's files get: fixed, so an Init can be checked to the second. */
  static final long M = 1_700_000_000L;

  static final int BIG = 64 << 20;

  /** Requests for one small file after which a case stops waiting for it to arrive right. */
  static final int GIVE_UP = 3;

  static final long HUGE = (2L << 30) + (1 << 20);

  private PeerCases() {}

  public static List<ConformCase<PeerProbe>> all() {
    return List.of(
        row(
            "P1",
            "TC2: Init first, file port >= 8000",
            "The peer's first line is Init {\"port\": P, \"files\": [...]}; P >= 8000 and listens",
            PeerCases::initFirst),
        row(
            "P2",
            "TC0: only plain files advertised",
            "Init lists regular files directly in the folder with integer mtimes; never subfolders"
                + " nor names ending .py, .dll or .so",
            PeerCases::onlyPlainFilesAdvertised),
        row(
            "P3",
            "TC1: a taken port is skipped",
            "The peer takes the first free port from 8000 up: one already taken is skipped",
            PeerCases::takenPortSkipped),
        row(
            "P4",
            "TC2: KeepAlive every 5 s",
            "After Init, {\"port\": P} every 5 s on the same connection (the first one at most"
                + " 5 s after Init, then 5 s apart, within the tolerance)",
            PeerCases::keepAlives),
        row(
            "P5",
            "TC3: missing files pulled",
            "Each listed name missing locally is requested from the peer the directory names",
            PeerCases::missingFilesPulled),
        row(
            "P6",
            "TC4: newer pulled, older not",
            "A name whose local mtime is older is pulled; one whose local copy is newer is not",
            PeerCases::newerPulledOlderNot),
        row(
            "P7",
            "mtime preserved",
            "A completed file gets its local mtime set to the mtime in the directory",
            PeerCases::mtimePreserved),
        row(
            "P8",
            "TC5: serves Content-Length and the bytes",
            "A request NAME\\n gets Content-Length: SIZE\\n, exactly SIZE raw bytes, then close",
            PeerCases::servesContentLength),
        row(
            "P9",
            "TC6: dead source skipped, retried later",
            "A source that does not answer is skipped, no partial file is left, and the next"
                + " directory (after a KeepAlive) retries",
            PeerCases::deadSourceRetried),
        new ConformCase<>(
            "P10",
            "Filtered names never requested",
            "A peer never takes names ending .py, .dll or .so (not in the seed text; p2psync"
                + " refuses them so a tracker cannot plant code)",
            false,
            PeerCases::filteredNamesNotRequested),
        row(
            "P11",
            "Body in the same segment as its header",
            "Header and body may arrive in one TCP segment: every body byte counts",
            PeerCases::oneSegment),
        row(
            "P12",
            "Body dripped a byte at a time",
            "Header and body arrive one byte per segment",
            PeerCases::dripped),
        row("P13", "Empty file", "Content-Length: 0 is a good, empty file", PeerCases::emptyFile),
        row("P14", "64 MiB file", "A 64 MiB body is pulled whole and exact", PeerCases::bigFile),
        new ConformCase<>(
            "P15",
            "File over 2 GiB",
            "Sizes are not ints: a body over 2 GiB is pulled whole and exact (off unless asked)",
            false,
            PeerCases::hugeFile),
        row(
            "P16",
            "Unicode and spaces in names",
            "Names are UTF-8 on the wire: advertised, requested and served as they are",
            PeerCases::unicodeNames),
        row(
            "P17",
            "Unknown and outside names requested",
            "An unknown name gets Content-Length: 0 (or a close); nothing outside the folder is"
                + " served; the peer keeps serving",
            PeerCases::unknownNames),
        row(
            "P18",
            "Source closes early",
            "Fewer bytes than Content-Length and a close is a failed transfer: no file under the"
                + " real name, no partial file left",
            PeerCases::sourceClosesEarly),
        row(
            "P19",
            "Source promises more and stalls",
            "A source that stops sending short of Content-Length is given up on (a timeout): no"
                + " file under the real name, no partial file left",
            PeerCases::sourceStalls),
        row(
            "P20",
            "Source sends more than Content-Length",
            "A requester reads exactly SIZE bytes: what follows is not part of the file",
            PeerCases::sourceSendsMore),
        row(
            "P21",
            "Tracker closes",
            "When the tracker connection fails the course's peer exits; p2psync reconnects: both"
                + " accepted, the outcome reported",
            PeerCases::trackerCloses),
        row(
            "P22",
            "Names with path parts never written",
            "Only plain names are files of the folder: a directory that lists ../x, sub/x or an"
                + " absolute path never makes the peer write outside its folder",
            PeerCases::pathNamesNotWritten));
  }

  private static ConformCase<PeerProbe> row(
      String id, String title, String says, ConformCase.Check<PeerProbe> check) {
    return new ConformCase<>(id, title, says, true, check);
  }

  /** The file port an Init gives; anything else ends the case (P1 judges the Init itself). */
  private static int initPort(PlayedTracker.Message first) {
    if (!first.isInit()) {
      throw new IllegalStateException(
          "the peer's first message is not an Init: " + Transcript.clip(first.text()));
    }
    return first.port();
  }

  private static Map<String, DirectoryEntry> entries(Object... nameThenEntry) {
    Map<String, DirectoryEntry> map = new LinkedHashMap<>();
    for (int i = 0; i < nameThenEntry.length; i += 2) {
      map.put((String) nameThenEntry[i], (DirectoryEntry) nameThenEntry[i + 1]);
    }
    return map;
  }

  private static boolean listens(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Outcome initFirst(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    PlayedTracker.Message first = probe.start(Map.of());
    if (first.json() == null) {
      return Outcome.fail("the first line is not a JSON object (" + first.error() + ")");
    }
    if (!first.isInit()) {
      return Outcome.fail(
          "the first message is not an Init with \"port\" and \"files\": "
              + Transcript.clip(first.text()));
    }
    int port = first.port();
    boolean listening = listens(probe.tracker().host(), port);
    return Outcome.of(
        port >= 8000 && port <= 65_535 && listening,
        "first line "
            + Transcript.clip(first.text())
            + "; port "
            + port
            + (listening ? " accepts connections" : " accepts no connection"));
  }

  static Outcome onlyPlainFilesAdvertised(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    for (String junk : List.of("junk.dll", "junk.so", "temp.py", "sub/subfile.txt")) {
      probe.write(junk, bytes(junk, 10), M + 1);
    }
    PlayedTracker.Message first = probe.start(Map.of());
    initPort(first);
    List<String> names = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (JsonNode file : first.json().path("files")) {
      names.add(file.path("name").asText());
      JsonNode mtime = file.path("mtime");
      if (!mtime.isIntegralNumber()) {
        problems.add(file.path("name") + " has mtime " + mtime + ", not an integer");
      } else if (file.path("name").asText().equals("fileA.txt") && mtime.asLong() != M) {
        problems.add("fileA.txt has mtime " + mtime + ", its file " + M);
      }
    }
    if (!names.equals(List.of("fileA.txt"))) {
      problems.add("advertised " + names + ", want only [fileA.txt]");
    }
    return Outcome.of(
        problems.isEmpty(),
        problems.isEmpty()
            ? "advertised only fileA.txt with mtime "
                + M
                + " (folder: fileA.txt, junk.dll,"
                + " junk.so, temp.py, sub/subfile.txt)"
            : String.join("; ", problems));
  }

  static Outcome takenPortSkipped(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    try (ServerSocket held = holdFirstFree(8000)) {
      PlayedTracker.Message first = probe.start(Map.of());
      int port = initPort(first);
      boolean listening = listens(probe.tracker().host(), port);
      return Outcome.of(
          port >= 8000 && port != held.getLocalPort() && listening,
          "the kit held port "
              + held.getLocalPort()
              + "; the peer advertised "
              + port
              + (listening ? ", which accepts connections" : ", which accepts no connection"));
    }
  }

  /** The first port from {@code from} up that no one has bound, held on every address. */
  private static ServerSocket holdFirstFree(int from) throws IOException {
    for (int port = from; port < from + 1_000; port++) {
      try {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(false);
        try {
          socket.bind(new InetSocketAddress(port));
          return socket;
        } catch (IOException e) {
          socket.close();
        }
      } catch (IOException e) {
        // this port is taken: try the next
      }
    }
    throw new IOException("no free port in " + from + "-" + (from + 999));
  }

  static Outcome keepAlives(PeerProbe probe) throws Exception {
    PeerProbe.Timings t = probe.timings();
    probe.write("fileA.txt", bytes("A", 100), M);
    PlayedTracker.Message init = probe.start(Map.of());
    int port = initPort(init);
    List<Long> gaps = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    PlayedTracker.Message previous = init;
    for (int i = 0; i < 2; i++) {
      PlayedTracker.Message next = probe.tracker().next(t.nextKeepAlive());
      if (next == null) {
        return Outcome.fail(
            "KeepAlive "
                + (i + 1)
                + " did not come within "
                + t.nextKeepAlive().toMillis()
                + " ms; gaps so far "
                + gaps);
      }
      long gap = (next.nanos() - previous.nanos()) / 1_000_000;
      gaps.add(gap);
      if (!next.hasPort() || next.port() != port) {
        problems.add("message " + (i + 2) + " is not {\"port\": " + port + "}: " + next.text());
      }
      if (next.connection() != init.connection()) {
        problems.add("KeepAlive " + (i + 1) + " came on a new connection");
      }
      // late is what breaks a tracker (it drops silent peers); early is judged between two
      // KeepAlives only, as a peer may start its timer before its Init is out
      long most = t.keepAlive().plus(t.keepAliveTolerance()).toMillis();
      long least = i == 0 ? 0 : t.keepAlive().minus(t.keepAliveTolerance()).toMillis();
      if (gap > most || gap < least) {
        problems.add(
            "KeepAlive "
                + (i + 1)
                + " came "
                + gap
                + " ms after the previous message, want "
                + (i == 0 ? "at most " + most : least + " to " + most));
      }
      previous = next;
    }
    return Outcome.of(
        problems.isEmpty(),
        problems.isEmpty()
            ? "two KeepAlives {\"port\": " + port + "}, " + gaps + " ms apart, each answered"
            : String.join("; ", problems));
  }

  static Outcome missingFilesPulled(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    byte[] b = bytes("B", 2_000);
    byte[] c = bytes("C", 3_000);
    PlayedSource one = probe.source("peer2").offer("fileB.txt", whole(probe, b));
    PlayedSource two = probe.source("peer3").offer("fileC.txt", whole(probe, c));
    probe.start(entries("fileB.txt", one.entry(M + 1), "fileC.txt", two.entry(M + 2)));
    boolean both =
        await(
            () -> probe.holds("fileB.txt", b) && probe.holds("fileC.txt", c),
            probe.timings().transfer());
    return Outcome.of(
        both,
        "fileB.txt "
            + (probe.holds("fileB.txt", b) ? "pulled" : "missing or wrong")
            + " (requests to peer2: "
            + one.requestsFor("fileB.txt")
            + "), fileC.txt "
            + (probe.holds("fileC.txt", c) ? "pulled" : "missing or wrong")
            + " (requests to peer3: "
            + two.requestsFor("fileC.txt")
            + ")");
  }

  static Outcome newerPulledOlderNot(PeerProbe probe) throws Exception {
    byte[] oldB = bytes("old B", 300);
    byte[] newB = bytes("new B", 400);
    byte[] mineD = bytes("mine D", 500);
    byte[] theirsD = bytes("theirs D", 600);
    probe.write("fileB.txt", oldB, M);
    probe.write("fileD.txt", mineD, M + 500);
    PlayedSource source =
        probe
            .source("peer2")
            .offer("fileB.txt", whole(probe, newB))
            .offer("fileD.txt", whole(probe, theirsD));
    // fileD is listed first, so a peer that processes in order meets the older one first
    probe.start(entries("fileD.txt", source.entry(M + 400), "fileB.txt", source.entry(M + 100)));
    boolean newer = await(() -> probe.holds("fileB.txt", newB), probe.timings().transfer());
    boolean olderLeft =
        never(
            () -> source.requestsFor("fileD.txt") > 0 || !probe.holds("fileD.txt", mineD),
            probe.timings().settle());
    return Outcome.of(
        newer && olderLeft,
        "fileB.txt (local "
            + M
            + ", listed "
            + (M + 100)
            + ") "
            + (newer ? "pulled" : "not pulled")
            + "; fileD.txt (local "
            + (M + 500)
            + ", listed "
            + (M + 400)
            + ") requested "
            + source.requestsFor("fileD.txt")
            + " times, "
            + (probe.holds("fileD.txt", mineD) ? "kept" : "overwritten"));
  }

  static Outcome mtimePreserved(PeerProbe probe) throws Exception {
    byte[] body = bytes("E", 700);
    long listed = M + 7;
    PlayedSource source = probe.source("peer2").offer("fileE.txt", whole(probe, body));
    probe.start(entries("fileE.txt", source.entry(listed)));
    if (!await(() -> probe.holds("fileE.txt", body), probe.timings().transfer())) {
      return Outcome.fail("fileE.txt never arrived, so its mtime cannot be judged");
    }
    // a peer may set the mtime a moment after the file appears under its name
    boolean set = await(() -> probe.mtime("fileE.txt") == listed, probe.timings().settle());
    return Outcome.of(
        set,
        "fileE.txt listed with mtime "
            + listed
            + ", local mtime after the pull "
            + probe.mtime("fileE.txt"));
  }

  static Outcome servesContentLength(PeerProbe probe) throws Exception {
    byte[] body = bytes("served", 10_240);
    probe.write("fileC.bin", body, M);
    int port = initPort(probe.start(Map.of()));
    PeerProbe.Answer answer =
        probe.ask(port, "fileC.bin\n".getBytes(StandardCharsets.UTF_8), body.length + 1024L);
    return Outcome.of(
        answer.is(body),
        "asked for fileC.bin (" + body.length + " bytes, every byte value): " + answer);
  }

  static Outcome deadSourceRetried(PeerProbe probe) throws Exception {
    byte[] body = bytes("C", 1_500);
    PlayedSource live = probe.source("peer3").offer("fileC.txt", whole(probe, body));
    DirectoryEntry dead = new DirectoryEntry(live.entry(0).ip(), probe.deadPort(), M + 3);
    AtomicLong liveFrom = new AtomicLong(-1);
    probe.start(
        m -> {
          if (m.index() == 0) {
            return entries("fileC.txt", dead);
          }
          liveFrom.compareAndSet(-1, m.index());
          return entries("fileC.txt", live.entry(M + 3));
        });
    Duration wait = probe.timings().nextKeepAlive().plus(probe.timings().transfer());
    boolean arrived = await(() -> probe.holds("fileC.txt", body), wait);
    boolean clean =
        await(() -> probe.strays(Set.of("fileC.txt")).isEmpty(), probe.timings().settle());
    return Outcome.of(
        arrived && clean,
        "the Init's directory named a dead port ("
            + dead.port()
            + "); message "
            + liveFrom.get()
            + " was answered with a live source; fileC.txt "
            + (arrived ? "arrived" : "never arrived")
            + (clean ? "; no stray files" : "; stray files: " + probe.strays(Set.of("fileC.txt"))));
  }

  static Outcome filteredNamesNotRequested(PeerProbe probe) throws Exception {
    byte[] ok = bytes("ok", 100);
    List<String> filtered = List.of("evil.py", "evil.dll", "evil.so");
    PlayedSource source = probe.source("peer2").offer("ok.txt", whole(probe, ok));
    Map<String, DirectoryEntry> listed = new LinkedHashMap<>();
    for (String name : filtered) {
      source.offer(name, whole(probe, bytes(name, 50)));
      listed.put(name, source.entry(M + 9));
    }
    // the allowed name comes last: once it is here, the whole directory was processed
    listed.put("ok.txt", source.entry(M + 9));
    probe.start(listed);
    if (!await(() -> probe.holds("ok.txt", ok), probe.timings().transfer())) {
      return Outcome.fail("ok.txt never arrived: the directory was not processed");
    }
    never(
        () -> filtered.stream().anyMatch(n -> source.requestsFor(n) > 0), probe.timings().settle());
    List<String> requested =
        filtered.stream().filter(n -> source.requestsFor(n) > 0 || probe.exists(n)).toList();
    return Outcome.of(
        requested.isEmpty(),
        requested.isEmpty()
            ? "ok.txt pulled; " + filtered + " never requested"
            : "requested or written: " + requested);
  }

  static Outcome oneSegment(PeerProbe probe) throws Exception {
    return pulled(probe, "segment.txt", bytes("seg", 1_000), PlayedSource::oneSegment, "");
  }

  static Outcome dripped(PeerProbe probe) throws Exception {
    byte[] body = bytes("drip", 200);
    Duration drip = probe.timings().drip();
    return pulled(
        probe,
        "dripped.txt",
        body,
        b -> PlayedSource.drip(b, drip),
        "; each byte of header and body flushed alone, " + drip.toMillis() + " ms apart");
  }

  static Outcome emptyFile(PeerProbe probe) throws Exception {
    return pulled(probe, "empty.txt", new byte[0], b -> whole(probe, b), "");
  }

  /** Offers {@code body} as {@code name}, served as {@code serve} makes it, and waits for it. */
  private static Outcome pulled(
      PeerProbe probe,
      String name,
      byte[] body,
      Function<byte[], PlayedSource.Serve> serve,
      String how)
      throws Exception {
    PlayedSource source = probe.source("peer2").offer(name, serve.apply(body));
    probe.start(entries(name, source.entry(M + 12)));
    // a peer that asked GIVE_UP times for bytes served whole each time will not get it right
    boolean arrived =
        await(
                () -> probe.holds(name, body) || source.requestsFor(name) >= GIVE_UP,
                probe.timings().transfer())
            && await(() -> probe.holds(name, body), probe.timings().settle());
    return Outcome.of(
        arrived,
        name
            + " ("
            + body.length
            + " bytes) "
            + (arrived ? "pulled exactly" : "not pulled exactly: " + describeFile(probe, name))
            + " after "
            + source.requestsFor(name)
            + " request(s)"
            + how);
  }

  private static String describeFile(PeerProbe probe, String name) {
    try {
      return probe.exists(name)
          ? "the folder has " + Files.size(probe.folder().resolve(name)) + " bytes"
          : "absent";
    } catch (IOException e) {
      return "unreadable: " + e;
    }
  }

  static Outcome bigFile(PeerProbe probe) throws Exception {
    return generated(probe, "big.bin", BIG);
  }

  static Outcome hugeFile(PeerProbe probe) throws Exception {
    if (!probe.hugeFile()) {
      return Outcome.notApplicable("off by default: ask for it (--huge-file), it writes 2 GiB");
    }
    return generated(probe, "huge.bin", HUGE);
  }

  private static Outcome generated(PeerProbe probe, String name, long size) throws Exception {
    Content content = new Content(size, size);
    PlayedSource source =
        probe
            .source("peer2")
            .offer(name, PlayedSource.generated(content, probe.timings().headerGap()));
    probe.start(entries(name, source.entry(M + 13)));
    long start = System.nanoTime();
    Duration wait = probe.timings().transfer().multipliedBy(Math.max(1, size / BIG));
    boolean whole =
        await(
            () -> {
              try {
                return Files.size(probe.folder().resolve(name)) == size;
              } catch (IOException e) {
                return false;
              }
            },
            wait);
    long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
    if (!whole) {
      return Outcome.fail(
          name
              + " ("
              + size
              + " bytes) not complete after "
              + ms
              + " ms: "
              + describeFile(probe, name));
    }
    String want = content.sha256();
    String got = Content.sha256(probe.folder().resolve(name));
    return Outcome.of(
        want.equals(got),
        name
            + ": "
            + size
            + " bytes in "
            + ms
            + " ms ("
            + (size / 1_000 / ms)
            + " MB/s), SHA-256 "
            + (want.equals(got) ? "matches" : "differs: want " + want + ", got " + got));
  }

  static Outcome unicodeNames(PeerProbe probe) throws Exception {
    String mine = "mine \u00fc \u2603.txt";
    String theirs = "their \ud83d\ude00 \u00e9 x.txt";
    byte[] mineBody = bytes(mine, 321);
    byte[] theirBody = bytes(theirs, 123);
    probe.write(mine, mineBody, M);
    PlayedSource source = probe.source("peer2").offer(theirs, whole(probe, theirBody));
    PlayedTracker.Message first = probe.start(entries(theirs, source.entry(M + 14)));
    int port = initPort(first);
    boolean advertised = PlayedTracker.advertised(first).containsKey(mine);
    boolean pulled = await(() -> probe.holds(theirs, theirBody), probe.timings().transfer());
    byte[] utf8 = theirs.getBytes(StandardCharsets.UTF_8);
    boolean exactRequest = source.requests().stream().anyMatch(r -> Arrays.equals(r.raw(), utf8));
    PeerProbe.Answer served =
        probe.ask(port, (mine + "\n").getBytes(StandardCharsets.UTF_8), mineBody.length + 1024L);
    return Outcome.of(
        advertised && pulled && exactRequest && served.is(mineBody),
        "\""
            + mine
            + "\" "
            + (advertised ? "advertised" : "not advertised")
            + ", served: "
            + served
            + "; \""
            + theirs
            + "\" "
            + (exactRequest ? "requested in UTF-8" : "never requested as its UTF-8 bytes")
            + ", "
            + (pulled ? "pulled" : "not pulled"));
  }

  static Outcome unknownNames(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    byte[] secret = "the kit's secret, outside the folder".getBytes(StandardCharsets.UTF_8);
    Files.write(probe.outside().resolve("secret.txt"), secret);
    int port = initPort(probe.start(Map.of()));
    PeerProbe.Answer unknown =
        probe.ask(port, "no-such-file.txt\n".getBytes(StandardCharsets.UTF_8), 1 << 20);
    boolean unknownOk =
        unknown.error() == null && (unknown.bytes().length == 0 || unknown.is(new byte[0]));
    PeerProbe.Answer outside =
        probe.ask(port, "../secret.txt\n".getBytes(StandardCharsets.UTF_8), 1 << 20);
    boolean leaked = contains(outside.bytes(), secret);
    PeerProbe.Answer after =
        probe.ask(port, "fileA.txt\n".getBytes(StandardCharsets.UTF_8), 1 << 20);
    boolean stillServes =
        new String(after.bytes(), StandardCharsets.ISO_8859_1).startsWith("Content-Length: ");
    return Outcome.of(
        unknownOk && !leaked && stillServes,
        "no-such-file.txt: "
            + unknown
            + (unknown.bytes().length == 0 ? " (a close, not the course's Content-Length: 0)" : "")
            + "; ../secret.txt: "
            + (leaked ? "SERVED the file outside the folder" : outside.toString())
            + "; fileA.txt afterwards: "
            + after);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  static Outcome sourceClosesEarly(PeerProbe probe) throws Exception {
    byte[] body = bytes("short", 4_096);
    PlayedSource source =
        probe
            .source("peer2")
            .offer("short.txt", PlayedSource.closeEarly(body, 1_000, probe.timings().headerGap()));
    probe.start(entries("short.txt", source.entry(M + 15)));
    if (!await(() -> source.requestsFor("short.txt") > 0, probe.timings().transfer())) {
      return Outcome.fail("short.txt was never requested");
    }
    return noTruncatedFile(probe, "short.txt", "the source sent 1000 of 4096 bytes and closed");
  }

  /** After a failed transfer: nothing under {@code name}, and no partial file left. */
  private static Outcome noTruncatedFile(PeerProbe probe, String name, String what) {
    boolean neverVisible = never(() -> probe.exists(name), probe.timings().settle());
    boolean clean = await(() -> probe.strays(Set.of()).isEmpty(), probe.timings().settle());
    return Outcome.of(
        neverVisible && clean,
        what
            + "; "
            + (neverVisible
                ? "nothing under " + name
                : name + " appeared: " + describeFile(probe, name))
            + (clean
                ? "; no partial file left"
                : "; left in the folder: " + probe.strays(Set.of())));
  }

  static Outcome sourceStalls(PeerProbe probe) throws Exception {
    byte[] body = bytes("stall", 4_096);
    AtomicLong gaveUp = new AtomicLong(Long.MIN_VALUE);
    Duration stall = probe.timings().stall();
    PlayedSource source =
        probe
            .source("peer2")
            .offer("stalled.txt", PlayedSource.stall(body, 1_000, stall, gaveUp::set));
    probe.start(entries("stalled.txt", source.entry(M + 16)));
    if (!await(() -> source.requestsFor("stalled.txt") > 0, probe.timings().transfer())) {
      return Outcome.fail("stalled.txt was never requested");
    }
    await(() -> gaveUp.get() != Long.MIN_VALUE, stall.plusSeconds(1));
    long ms = gaveUp.get();
    if (ms < 0) {
      return Outcome.fail(
          "the source sent 1000 of 4096 bytes and stalled; the peer still waited after "
              + stall.toMillis()
              + " ms");
    }
    return noTruncatedFile(
        probe,
        "stalled.txt",
        "the source sent 1000 of 4096 bytes and stalled; the peer gave up after " + ms + " ms");
  }

  static Outcome sourceSendsMore(PeerProbe probe) throws Exception {
    byte[] body = bytes("long", 500);
    byte[] extra = bytes("extra", 100);
    PlayedSource source =
        probe
            .source("peer2")
            .offer("long.txt", PlayedSource.tooLong(body, extra, probe.timings().headerGap()));
    probe.start(entries("long.txt", source.entry(M + 17)));
    boolean there = await(() -> probe.exists("long.txt"), probe.timings().transfer());
    boolean exact = there && await(() -> probe.holds("long.txt", body), probe.timings().settle());
    return Outcome.of(
        exact,
        "Content-Length: 500 and 600 bytes sent; long.txt "
            + (exact ? "holds exactly the 500" : describeFile(probe, "long.txt")));
  }

  static Outcome pathNamesNotWritten(PeerProbe probe) throws Exception {
    byte[] ok = bytes("ok", 100);
    byte[] evil = bytes("evil", 64);
    // the absolute name points into the case's own folder tree, so a peer that writes it harms
    // nothing but fails the case
    String absolute = probe.outside().resolve("absolute.txt").toAbsolutePath().toString();
    List<String> names = List.of("../escaped.txt", "sub/inner.txt", absolute);
    PlayedSource source = probe.source("peer2").offer("ok.txt", whole(probe, ok));
    Map<String, DirectoryEntry> listed = new LinkedHashMap<>();
    for (String name : names) {
      source.offer(name, whole(probe, evil));
      listed.put(name, source.entry(M + 18));
    }
    listed.put("ok.txt", source.entry(M + 18)); // last: once it is here, all was processed
    probe.start(listed);
    if (!await(() -> probe.holds("ok.txt", ok), probe.timings().transfer())) {
      return Outcome.fail("ok.txt never arrived: the directory was not processed");
    }
    List<String> written = new ArrayList<>();
    never(
        () -> {
          written.clear();
          if (Files.exists(probe.outside().resolve("escaped.txt"))) {
            written.add("../escaped.txt");
          }
          if (Files.exists(probe.folder().resolve("sub"))) {
            written.add("sub/");
          }
          if (Files.exists(Path.of(absolute))) {
            written.add(absolute);
          }
          return !written.isEmpty();
        },
        probe.timings().settle());
    long requested = names.stream().mapToLong(source::requestsFor).sum();
    return Outcome.of(
        written.isEmpty(),
        written.isEmpty()
            ? "ok.txt pulled; nothing written outside the folder nor below it ("
                + requested
                + " requests for the path names)"
            : "WROTE " + written);
  }

  static Outcome trackerCloses(PeerProbe probe) throws Exception {
    probe.write("fileA.txt", bytes("A", 100), M);
    initPort(probe.start(Map.of()));
    PlayedTracker tracker = probe.tracker();
    await(() -> tracker.replies() >= 1, probe.timings().transfer());
    tracker.dropConnections();
    long start = System.nanoTime();
    boolean reacted =
        await(
            () -> !probe.program().isAlive() || tracker.connections() >= 2,
            probe.timings().reconnect());
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (!reacted) {
      return Outcome.fail(
          "the peer neither exited nor reconnected within "
              + probe.timings().reconnect().toMillis()
              + " ms of the tracker closing");
    }
    if (!probe.program().isAlive()) {
      return Outcome.pass(
          "exited (code "
              + probe.program().exitCode()
              + ") "
              + ms
              + " ms after the tracker closed");
    }
    // a reconnecting peer starts over: its first message on the new connection should be an Init
    PlayedTracker.Message next;
    do {
      next = tracker.next(probe.timings().nextKeepAlive());
    } while (next != null && next.connection() == 0);
    return Outcome.pass(
        "reconnected "
            + ms
            + " ms after the tracker closed; first message on the new connection: "
            + (next == null
                ? "(none yet)"
                : next.isInit() ? "an Init" : Transcript.clip(next.text())));
  }

  private static PlayedSource.Serve whole(PeerProbe probe, byte[] body) {
    return PlayedSource.whole(body, probe.timings().headerGap());
  }
}
