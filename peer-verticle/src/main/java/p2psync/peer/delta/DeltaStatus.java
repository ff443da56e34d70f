package p2psync.peer.delta;

import java.util.Map;
import java.util.TreeMap;
import p2psync.common.DirectoryEntry;

/**
 * A v2 peer's copy of the tracker's versioned directory at one moment, immutable: for tests,
 * benchmarks and status pages on any thread.
 *
 * @param epoch the tracker directory's history it belongs to (0: none held)
 * @param version the version held (0: none)
 * @param applied versioned lines applied so far
 * @param refused lines refused (each cost one whole directory)
 */
public record DeltaStatus(
    long epoch, long version, long applied, long refused, Map<String, DirectoryEntry> entries) {

  static DeltaStatus of(DeltaClient client) {
    return new DeltaStatus(
        client.epoch(),
        client.version(),
        client.applied(),
        client.refused(),
        java.util.Collections.unmodifiableMap(new TreeMap<>(client.entries())));
  }
}
