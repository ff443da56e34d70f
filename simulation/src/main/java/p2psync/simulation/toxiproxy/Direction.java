package p2psync.simulation.toxiproxy;

import java.util.Locale;

/** Toxiproxy's "stream": upstream is client to server, downstream is server to client. */
enum Direction {
  UPSTREAM,
  DOWNSTREAM;

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Case-insensitive, as Toxiproxy's stream.ParseDirection. */
  static Direction parse(String value) {
    for (Direction direction : values()) {
      if (direction.wireName().equalsIgnoreCase(value)) {
        return direction;
      }
    }
    throw ApiError.invalidStream();
  }
}
