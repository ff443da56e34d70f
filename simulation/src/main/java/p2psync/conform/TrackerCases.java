package p2psync.conform;

import static p2psync.conform.TrackerProbe.describe;
import static p2psync.conform.TrackerProbe.directory;
import static p2psync.conform.TrackerProbe.init;
import static p2psync.conform.TrackerProbe.keepAlive;
import static p2psync.conform.TrackerProbe.lists;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.PythonJson;
import p2psync.common.SeedCodec;

/** The tracker catalogue: what a seed tracker must (and may) do, one row per case. */
public final class TrackerCases {
  static final int MANY_PEERS = 200;
  static final int MANY_NAMES = 10_000;
  static final int PIPELINED = 20;

  private TrackerCases() {}

  public static List<ConformCase<TrackerProbe>> all() {
    return List.of(
        new ConformCase<>(
            "T1",
            "Init answered in json.dumps form",
            "Every Init gets one directory line, written as Python's json.dumps: \", \" and \": \""
                + " separators, non-ASCII as lower-case \\uXXXX escapes",
            true,
            TrackerCases::initInJsonDumpsForm),
        new ConformCase<>(
            "T2",
            "KeepAlive answered",
            "Every KeepAlive {\"port\": P} gets one directory line",
            true,
            TrackerCases::keepAliveAnswered),
        new ConformCase<>(
            "T3",
            "Newest mtime wins",
            "Each name is listed for the peer that advertised the largest mtime, whatever the order",
            true,
            TrackerCases::newestMtimeWins),
        new ConformCase<>(
            "T4",
            "Tie rule (reported)",
            "On equal mtimes any one holder may be named; the course's tracker keeps the first seen",
            false,
            TrackerCases::tieRule),
        new ConformCase<>(
            "T5",
            "Files leave when their peer disconnects",
            "A gone peer's files leave the directory; the course's tracker drops a peer only ~180 s"
                + " after its last message",
            false,
            TrackerCases::filesLeaveOnDisconnect),
        new ConformCase<>(
            "T6",
            "Bad JSON closes only that connection",
            "Invalid JSON makes the tracker close that connection; other peers are still served",
            true,
            TrackerCases::badJsonClosesOnlyThatConnection),
        new ConformCase<>(
            "T7",
            "A message without port gets no reply",
            "The tracker answers only messages that have \"port\"; the connection stays open",
            true,
            TrackerCases::noPortNoReply),
        new ConformCase<>(
            "T8",
            MANY_PEERS + " peers answered",
            MANY_PEERS + " peers connected at once each get their reply, listing all of them",
            true,
            TrackerCases::manyPeers),
        new ConformCase<>(
            "T9",
            "A " + MANY_NAMES + "-name Init answered",
            "A large Init is answered with every name in it",
            true,
            TrackerCases::bigInit),
        new ConformCase<>(
            "T10",
            "Replies in order",
            "Messages sent back to back get one reply each, in the order sent",
            true,
            TrackerCases::repliesInOrder));
  }

  static Outcome initInJsonDumpsForm(TrackerProbe probe) throws Exception {
    int port = probe.nextPort();
    // a space, Latin-1, a BMP symbol, an astral emoji (a surrogate pair) and a quote
    String unicode = probe.name("\u00fc \u2603 \ud83d\ude00 \"q\".txt");
    String plain = probe.name("plain.txt");
    WirePeer peer = probe.peer("A");
    WirePeer.Read reply =
        peer.ask(
            init(
                port, new FileEntry(plain, 1_700_000_001L), new FileEntry(unicode, 1_700_000_002L)),
            probe.timeouts().reply());
    SeedCodec.Directory dir = directory(reply);
    String ip = peer.localAddress();
    for (String name : List.of(plain, unicode)) {
      if (!dir.entries().containsKey(name)) {
        return Outcome.fail("the reply does not list " + name);
      }
    }
    StringBuilder member = new StringBuilder();
    PythonJson.appendString(member, unicode);
    member.append(": {\"ip\": \"").append(ip).append("\", \"port\": ").append(port);
    member.append(", \"mtime\": 1700000002}");
    if (!reply.text().contains(member)) {
      return Outcome.fail("not json.dumps form: the reply lacks the exact bytes " + member);
    }
    // the whole line, re-written as json.dumps would write the same entries in the same order
    Map<String, DirectoryEntry> entries = new LinkedHashMap<>(dir.entries());
    String expected = SeedCodec.encodeDirectory(entries).stripTrailing();
    if (!dir.rejected().isEmpty() || !expected.equals(reply.text())) {
      return Outcome.fail(
          "not json.dumps form: json.dumps would write "
              + Transcript.clip(expected)
              + firstDifference(expected, reply.text()));
    }
    return Outcome.pass("byte-exact, including " + member);
  }

  private static String firstDifference(String expected, String actual) {
    int i = 0;
    while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
      i++;
    }
    int from = Math.max(0, i - 20);
    return "; first difference at character "
        + i
        + ": expected ..."
        + expected.substring(from, Math.min(expected.length(), i + 20))
        + "..., got ..."
        + actual.substring(from, Math.min(actual.length(), i + 20))
        + "...";
  }

  static Outcome keepAliveAnswered(TrackerProbe probe) throws Exception {
    int port = probe.nextPort();
    String name = probe.name("kept.txt");
    WirePeer peer = probe.peer("A");
    directory(peer.ask(init(port, new FileEntry(name, 1_700_000_010L)), probe.timeouts().reply()));
    SeedCodec.Directory dir = directory(peer.ask(keepAlive(port), probe.timeouts().reply()));
    return Outcome.of(
        lists(dir, name, port, 1_700_000_010L), "KeepAlive answered: " + describe(dir, name));
  }

  static Outcome newestMtimeWins(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    // the newer version arrives second, then first: a tracker must not just keep either order
    String later = probe.name("newer-later.txt");
    String earlier = probe.name("newer-first.txt");
    int a = probe.nextPort();
    int b = probe.nextPort();
    directory(probe.peer("A").ask(init(a, new FileEntry(later, 1_000L)), timeout));
    SeedCodec.Directory first =
        directory(probe.peer("B").ask(init(b, new FileEntry(later, 2_000L)), timeout));
    int c = probe.nextPort();
    int d = probe.nextPort();
    directory(probe.peer("C").ask(init(c, new FileEntry(earlier, 2_000L)), timeout));
    SeedCodec.Directory second =
        directory(probe.peer("D").ask(init(d, new FileEntry(earlier, 1_000L)), timeout));
    boolean ok = lists(first, later, b, 2_000L) && lists(second, earlier, c, 2_000L);
    return Outcome.of(
        ok,
        "newer advertised second: "
            + describe(first, later)
            + " (want port "
            + b
            + ", mtime 2000); newer advertised first: "
            + describe(second, earlier)
            + " (want port "
            + c
            + ", mtime 2000)");
  }

  static Outcome tieRule(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    String name = probe.name("tie.txt");
    // the first peer gets the higher port, so "first seen" and "lowest address" name different ones
    int low = probe.nextPort();
    int high = probe.nextPort();
    directory(probe.peer("A").ask(init(high, new FileEntry(name, 1_500L)), timeout));
    SeedCodec.Directory dir =
        directory(probe.peer("B").ask(init(low, new FileEntry(name, 1_500L)), timeout));
    DirectoryEntry entry = dir.entries().get(name);
    if (entry == null || entry.mtime() != 1_500L) {
      return Outcome.fail("the tied name is not listed with its mtime: " + describe(dir, name));
    }
    if (entry.port() == high) {
      return Outcome.pass("keeps the first seen (port " + high + "), as the course's tracker");
    }
    if (entry.port() == low) {
      return Outcome.pass("names the lowest address (port " + low + "), not the first seen");
    }
    return Outcome.fail("names neither tied peer: " + describe(dir, name));
  }

  static Outcome filesLeaveOnDisconnect(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    String name = probe.name("leaving.txt");
    int a = probe.nextPort();
    int b = probe.nextPort();
    WirePeer leaving = probe.peer("A");
    directory(leaving.ask(init(a, new FileEntry(name, 1_700_000_020L)), timeout));
    WirePeer staying = probe.peer("B");
    SeedCodec.Directory dir = directory(staying.ask(init(b), timeout));
    if (!dir.entries().containsKey(name)) {
      return Outcome.fail("the file was never listed: " + describe(dir, name));
    }
    leaving.close();
    long start = System.nanoTime();
    long deadline = start + probe.timeouts().leave().toNanos();
    int asked = 0;
    while (System.nanoTime() < deadline) {
      // ask again and again: a tracker only tells what it holds when a message comes in
      dir = directory(staying.ask(keepAlive(b), timeout));
      asked++;
      if (!dir.entries().containsKey(name)) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        return Outcome.pass("left " + ms + " ms after the disconnect (" + asked + " KeepAlives)");
      }
      Thread.sleep(100);
    }
    return Outcome.fail(
        "still listed "
            + probe.timeouts().leave().toMillis()
            + " ms after the disconnect ("
            + asked
            + " KeepAlives); not required: the course's tracker keeps them up to ~180 s");
  }

  static Outcome badJsonClosesOnlyThatConnection(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    int good = probe.nextPort();
    int bad = probe.nextPort();
    WirePeer other = probe.peer("B");
    directory(other.ask(init(good, new FileEntry(probe.name("other.txt"), 1_000L)), timeout));
    WirePeer broken = probe.peer("A");
    directory(broken.ask(init(bad, new FileEntry(probe.name("bad.txt"), 1_000L)), timeout));
    WirePeer.Read afterBad = broken.ask("{\"port\": " + bad + ", \"files\": [\n", timeout);
    if (afterBad.kind() != WirePeer.Kind.CLOSED) {
      return Outcome.fail("after invalid JSON the connection was not closed: got " + afterBad);
    }
    WirePeer.Read otherReply = other.ask(keepAlive(good), timeout);
    if (!otherReply.isLine()) {
      return Outcome.fail("the other peer, already connected, is no longer served: " + otherReply);
    }
    WirePeer.Read newcomer = probe.peer("C").ask(init(probe.nextPort()), timeout);
    return Outcome.of(
        newcomer.isLine(),
        "invalid JSON closed that connection; the other peer was answered; a new peer got "
            + (newcomer.isLine() ? "its reply" : newcomer));
  }

  static Outcome noPortNoReply(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    int port = probe.nextPort();
    WirePeer peer = probe.peer("A");
    directory(peer.ask(init(port), timeout));
    peer.send("{\"files\": [{\"name\": \"" + probe.name("portless.txt") + "\", \"mtime\": 5}]}\n");
    WirePeer.Read quiet = peer.read(probe.timeouts().quiet());
    if (quiet.kind() != WirePeer.Kind.TIMEOUT) {
      return Outcome.fail(
          "expected no reply for " + probe.timeouts().quiet().toMillis() + " ms, got " + quiet);
    }
    WirePeer.Read after = peer.ask(keepAlive(port), timeout);
    return Outcome.of(
        after.isLine(),
        "no reply within "
            + probe.timeouts().quiet().toMillis()
            + " ms; the next KeepAlive got "
            + (after.isLine() ? "its reply" : after));
  }

  static Outcome manyPeers(TrackerProbe probe) throws Exception {
    Duration timeout = probe.timeouts().reply();
    List<String> names = new ArrayList<>();
    SeedCodec.Directory last = null;
    for (int i = 0; i < MANY_PEERS; i++) {
      String name = probe.name("peer-" + i + ".txt");
      names.add(name);
      WirePeer peer = probe.peer("P" + i);
      WirePeer.Read reply =
          peer.ask(init(probe.nextPort(), new FileEntry(name, 1_000L + i)), timeout);
      if (!reply.isLine()) {
        return Outcome.fail("peer " + i + " of " + MANY_PEERS + " got no reply: " + reply);
      }
      last = directory(reply);
    }
    long listed = names.stream().filter(last.entries()::containsKey).count();
    return Outcome.of(
        listed == MANY_PEERS,
        MANY_PEERS
            + " peers connected, each answered; the last reply lists "
            + listed
            + " of them");
  }

  static Outcome bigInit(TrackerProbe probe) throws Exception {
    List<FileEntry> files = new ArrayList<>(MANY_NAMES);
    for (int i = 0; i < MANY_NAMES; i++) {
      files.add(new FileEntry(probe.name(String.format("big-%05d.txt", i)), 1_000L + i));
    }
    int port = probe.nextPort();
    String message = init(port, files);
    long start = System.nanoTime();
    WirePeer.Read reply = probe.peer("A").ask(message, probe.timeouts().reply().multipliedBy(3));
    long ms = (System.nanoTime() - start) / 1_000_000;
    SeedCodec.Directory dir = directory(reply);
    long listed = files.stream().filter(f -> lists(dir, f.name(), port, f.mtime())).count();
    return Outcome.of(
        listed == MANY_NAMES,
        "Init of "
            + message.getBytes(StandardCharsets.UTF_8).length
            + " bytes answered in "
            + ms
            + " ms; "
            + listed
            + " of "
            + MANY_NAMES
            + " names listed as advertised");
  }

  static Outcome repliesInOrder(TrackerProbe probe) throws Exception {
    int port = probe.nextPort();
    String name = probe.name("ordered.txt");
    StringBuilder burst = new StringBuilder(init(port, new FileEntry(name, 1_000L)));
    for (int i = 1; i < PIPELINED; i++) {
      // a KeepAlive that re-advertises, as the course's tracker reads "files" in any message
      burst.append(
          SeedCodec.encodeInit(
              "{\"port\": " + port + ", \"files\": [",
              List.of(new FileEntry(name, 1_000L + i)),
              false));
    }
    WirePeer peer = probe.peer("A");
    peer.send(burst.toString());
    List<Long> seen = new ArrayList<>();
    for (int i = 0; i < PIPELINED; i++) {
      WirePeer.Read reply = peer.read(probe.timeouts().reply());
      if (!reply.isLine()) {
        return Outcome.fail(
            PIPELINED + " messages sent back to back, reply " + (i + 1) + " is " + reply);
      }
      DirectoryEntry entry = directory(reply).entries().get(name);
      seen.add(entry == null ? -1 : entry.mtime());
    }
    if (seen.stream().distinct().count() == 1) {
      return Outcome.notApplicable(
          PIPELINED
              + " replies, all listing mtime "
              + seen.get(0)
              + ": this tracker reads files only from Init, so order cannot be seen");
    }
    boolean ordered = true;
    for (int i = 1; i < seen.size(); i++) {
      ordered &= seen.get(i) >= seen.get(i - 1);
    }
    long lastMtime = 1_000L + PIPELINED - 1;
    return Outcome.of(
        ordered && seen.get(seen.size() - 1) == lastMtime,
        PIPELINED
            + " replies, mtimes in reply order "
            + seen
            + " (want non-decreasing, ending "
            + lastMtime
            + ")");
  }
}
