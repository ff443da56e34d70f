package p2psync.peer.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.DirectoryEntry;

/**
 * The sweep hands every held name on once per interval, in batches of at most {@link
 * DirectorySweep#BATCH}, each on its own turn of the peer's event loop; never with no directory
 * held, never when turned off.
 */
@ExtendWith(VertxExtension.class)
class DirectorySweepTest {

  @ParameterizedTest(name = "{0} names, every {1} ms")
  @CsvSource({"1000, 50, 4", "3, 50, 1", "0, 50, 0", "1000, 0, 0"})
  void everyHeldNameIsLookedAtInBoundedBatches(
      int names, long intervalMillis, int batchesPerSweep, Vertx vertx) {
    Map<String, DirectoryEntry> held =
        IntStream.range(0, names)
            .boxed()
            .collect(
                Collectors.toMap(i -> "f" + i, i -> new DirectoryEntry("127.0.0.1", 1, 1_000L)));
    List<Set<String>> batches = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    AtomicReference<DirectorySweep> sweep = new AtomicReference<>();
    Context loop = vertx.getOrCreateContext();
    loop.runOnContext(
        v -> {
          DirectorySweep started =
              new DirectorySweep(
                  vertx,
                  () -> names == 0 ? null : held,
                  (directory, batch) -> {
                    threads.add(Thread.currentThread());
                    batches.add(batch);
                  });
          started.start(Duration.ofMillis(intervalMillis));
          sweep.set(started);
        });

    if (batchesPerSweep == 0) {
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(batches::isEmpty);
    } else {
      await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() >= 2 * batchesPerSweep);
      List<Set<String>> first = List.copyOf(batches.subList(0, batchesPerSweep));
      assertThat(first).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(256));
      Set<String> seen = new HashSet<>();
      first.forEach(seen::addAll);
      assertThat(seen).isEqualTo(held.keySet()); // each name once per sweep, none left out
      assertThat(first.stream().mapToInt(Set::size).sum()).isEqualTo(names);
      assertThat(threads).containsOnly(threads.get(0)); // the peer's event loop
    }
    loop.runOnContext(v -> sweep.get().stop());
  }
}
