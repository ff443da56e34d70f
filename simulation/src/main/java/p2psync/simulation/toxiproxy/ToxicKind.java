package p2psync.simulation.toxiproxy;

import java.util.List;
import java.util.function.BiFunction;

/**
 * The toxic types Toxiproxy 2.12 registers (toxics/*.go), with their integer attributes in the
 * order Toxiproxy prints them, and the stage that applies each to one direction of a connection.
 */
enum ToxicKind {
  NOOP("noop", List.of(), NoopStage::new),
  LATENCY("latency", List.of("latency", "jitter"), LatencyStage::new),
  BANDWIDTH("bandwidth", List.of("rate"), BandwidthStage::new),
  SLOW_CLOSE("slow_close", List.of("delay"), SlowCloseStage::new),
  TIMEOUT("timeout", List.of("timeout"), TimeoutStage::new),
  RESET_PEER("reset_peer", List.of("timeout"), ResetPeerStage::new),
  SLICER("slicer", List.of("average_size", "size_variation", "delay"), SlicerStage::new),
  LIMIT_DATA("limit_data", List.of("bytes"), LimitDataStage::new);

  private final String typeName;
  private final List<String> attributes;
  private final BiFunction<Toxic, StageContext, ToxicStage> stageFactory;

  ToxicKind(
      String typeName,
      List<String> attributes,
      BiFunction<Toxic, StageContext, ToxicStage> stageFactory) {
    this.typeName = typeName;
    this.attributes = attributes;
    this.stageFactory = stageFactory;
  }

  String typeName() {
    return typeName;
  }

  List<String> attributes() {
    return attributes;
  }

  ToxicStage newStage(Toxic toxic, StageContext context) {
    return stageFactory.apply(toxic, context);
  }

  static ToxicKind parse(String typeName) {
    for (ToxicKind kind : values()) {
      if (kind.typeName.equals(typeName)) {
        return kind;
      }
    }
    throw ApiError.invalidToxicType();
  }
}
