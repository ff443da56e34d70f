package p2psync.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import p2psync.common.DirectoryEntry;
import p2psync.common.FileEntry;
import p2psync.common.SeedCodec;
import p2psync.common.delta.DeltaLine;
import p2psync.common.delta.DeltaRequest;
import p2psync.common.delta.DirectoryCopy;
import p2psync.common.v2.V2Entry;
import p2psync.tracker.delta.DeltaLog;

/**
 * Deltas against the model: a random history of joins, changes (seed and v2 entries) and leaves,
 * versions published at random points, and delta peers that ask at random points (or not for a long
 * time, or start over, or name another epoch). Every peer's applied copy must be the full v2
 * directory of the version it holds, and the versioned full line (compact members) must say what
 * the v2 line says, entry for entry (the compact form puts the named holder first among the sources
 * when the v2 line's subset leaves it out). The log is kept small so that peers fall behind it.
 */
class DeltaModelTest {
  private static final long EPOCH = 4242;
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final int PEERS = 3;

  sealed interface Step permits Register, List_, Remove, Publish, Ask {}

  record Register(int peer, String ip, int port) implements Step {}

  record List_(int peer, List<FileEntry> files) implements Step {}

  record Remove(int peer) implements Step {}

  record Publish() implements Step {}

  /** Delta peer {@code who} asks: holding its version, starting over, or naming another epoch. */
  record Ask(int who, int how) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> peer = Arbitraries.integers().between(0, 7);
    Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1");
    Arbitrary<Integer> port = Arbitraries.integers().between(8000, 8002);
    Arbitrary<FileEntry> seedFile =
        Combinators.combine(
                Arbitraries.of("a", "b", "c", "d", "e", "f", "g\u00e9"),
                Arbitraries.longs().between(1, 3))
            .as(FileEntry::new);
    Arbitrary<FileEntry> v2File =
        Combinators.combine(seedFile, Arbitraries.longs().between(1, 2), Arbitraries.of(A, B))
            .as((f, size, sha) -> new FileEntry(f.name(), f.mtime(), size, sha));
    Arbitrary<FileEntry> file = Arbitraries.oneOf(seedFile, v2File, v2File);
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(
            Tuple.of(2, Combinators.combine(peer, ip, port).as(Register::new)),
            Tuple.of(5, Combinators.combine(peer, file.list().ofMaxSize(6)).as(List_::new)),
            Tuple.of(1, peer.map(Remove::new)),
            Tuple.of(3, Arbitraries.just(new Publish())),
            Tuple.of(
                4,
                Combinators.combine(
                        Arbitraries.integers().between(0, PEERS - 1),
                        Arbitraries.integers().between(0, 9))
                    .as(Ask::new)));
    return step.list().ofMaxSize(120);
  }

  @Property(tries = 500)
  void everyPeersCopyIsTheFullDirectoryOfItsVersion(@ForAll("histories") List<Step> history)
      throws Exception {
    Directory directory = new Directory();
    directory.setV2LineInterval(java.time.Duration.ZERO);
    directory.setMaxSources(2);
    directory.trackV2Changes();
    DeltaLog log = new DeltaLog(EPOCH, 3, 600);
    Map<Long, Map<String, DirectoryEntry>> expected = new HashMap<>();
    Map<Integer, Boolean> registered = new HashMap<>();
    List<DirectoryCopy> copies = new ArrayList<>();
    for (int i = 0; i < PEERS; i++) {
      copies.add(new DirectoryCopy());
    }
    publish(directory, log, expected);
    List<Step> done = new ArrayList<>();
    try {
      for (Step step : history) {
        done.add(step);
        if (step instanceof Register r) {
          directory.register(r.peer(), r.ip(), r.port());
          registered.put(r.peer(), true);
        } else if (step instanceof List_ l && registered.containsKey(l.peer())) {
          directory.replaceFiles(l.peer(), l.files());
        } else if (step instanceof Remove r) {
          directory.remove(r.peer());
          registered.remove(r.peer());
        } else if (step instanceof Publish) {
          publish(directory, log, expected);
        } else if (step instanceof Ask a) {
          DirectoryCopy copy = copies.get(a.who());
          DeltaRequest request =
              switch (a.how()) {
                case 0 -> new DeltaRequest(0, 0, true); // in doubt: the whole directory
                case 1 -> new DeltaRequest(EPOCH + 1, Math.max(1, copy.version()), true);
                case 2 -> {
                  copies.set(a.who(), copy = new DirectoryCopy()); // a new peer
                  yield copy.request(true);
                }
                default -> copy.request(true);
              };
          DeltaLine line = DeltaLine.decode(lineOf(log.reply(request)));
          if (request.holds() && request.epoch() == EPOCH && request.version() >= log.oldest()) {
            assertThat(line.full()).as("a delta within the log, after %s", done).isFalse();
          }
          copy.apply(line); // OutOfStep fails the property
          assertThat(copy.version()).isEqualTo(log.version());
          assertThat(copy.entries())
              .as("copy at version %d after %s", copy.version(), done)
              .isEqualTo(expected.get(copy.version()));
        }
      }
      // every version record is let go with the last claim of it
      registered.keySet().forEach(directory::remove);
      assertThat(directory.versionRecords()).as("after %s", done).isZero();
    } finally {
      log.close();
      directory.close();
    }
  }

  /** Publishes the changes and checks the versioned full line against the v2 line. */
  private static void publish(
      Directory directory, DeltaLog log, Map<Long, Map<String, DirectoryEntry>> expected)
      throws Exception {
    log.publish(directory.drainV2Changes());
    Map<String, DirectoryEntry> v2Line =
        withNamedHolderFirst(SeedCodec.decodeDirectory(lineOf(directory.wireLineV2())).entries());
    DirectoryCopy full = new DirectoryCopy();
    full.apply(DeltaLine.decode(lineOf(log.fullLine()))); // its hash checked too
    assertThat(full.entries()).isEqualTo(v2Line);
    expected.put(log.version(), v2Line);
  }

  /** The v2 line's entries as the compact form says them: the named holder always a source. */
  private static Map<String, DirectoryEntry> withNamedHolderFirst(
      Map<String, DirectoryEntry> entries) {
    Map<String, DirectoryEntry> out = new TreeMap<>();
    entries.forEach(
        (name, e) -> {
          V2Entry v2 = e.v2();
          V2Entry.Source named = new V2Entry.Source(e.ip(), e.port());
          if (v2 != null && !v2.sources().contains(named)) {
            List<V2Entry.Source> sources = new ArrayList<>(v2.sources());
            sources.add(0, named);
            v2 = new V2Entry(v2.size(), v2.sha256(), sources, v2.deleted());
          }
          out.put(name, new DirectoryEntry(e.ip(), e.port(), e.mtime(), v2));
        });
    return out;
  }

  /** The line without its {@code \n}, copied. */
  private static Buffer lineOf(ByteBuf line) {
    byte[] bytes = new byte[line.readableBytes() - 1];
    line.getBytes(line.readerIndex(), bytes);
    return Buffer.buffer(bytes);
  }
}
