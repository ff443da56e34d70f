package p2psync.simulation.toxiproxy;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One toxic as the API shows it. Immutable: an update makes a new one, which the live stages of
 * that toxic then pick up.
 *
 * @param toxicity the chance, from 0 to 1, that the toxic applies to a given connection
 * @param attributes every attribute of the kind, 0 unless set (Toxiproxy prints them all)
 */
record Toxic(
    String name, ToxicKind kind, Direction stream, float toxicity, Map<String, Long> attributes) {

  /**
   * A toxic from a create request, with Toxiproxy's defaults (toxic_collection.go, AddToxicJson):
   * stream downstream, toxicity 1, name {@code <type>_<stream>}.
   */
  static Toxic fromCreateRequest(JsonObject json) {
    String streamName = JsonInput.string(json, "stream", "downstream");
    String typeName = JsonInput.string(json, "type", "");
    Direction stream = Direction.parse(streamName);
    String name = JsonInput.string(json, "name", "");
    if (name.isEmpty()) {
      name = typeName + "_" + streamName;
    }
    ToxicKind kind = ToxicKind.parse(typeName);
    float toxicity = JsonInput.number(json, "toxicity", 1f);
    Map<String, Long> attributes = new LinkedHashMap<>();
    kind.attributes().forEach(attribute -> attributes.put(attribute, 0L));
    return new Toxic(name, kind, stream, toxicity, merge(attributes, json));
  }

  /**
   * This toxic with the attributes and toxicity an update request sets; everything else in the
   * request (name, type, stream) is ignored, as Toxiproxy's UpdateToxicJson does.
   */
  Toxic updatedBy(JsonObject json) {
    float updatedToxicity = JsonInput.number(json, "toxicity", toxicity);
    return new Toxic(name, kind, stream, updatedToxicity, merge(attributes, json));
  }

  long attribute(String attribute) {
    return attributes.get(attribute);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("attributes", new JsonObject(new LinkedHashMap<>(attributes)))
        .put("name", name)
        .put("type", kind.typeName())
        .put("stream", stream.wireName())
        .put("toxicity", goNumber(toxicity));
  }

  /**
   * A float32 as Go's encoder prints it: a whole value without a fraction ({@code 1}, not {@code
   * 1.0}).
   */
  private static Number goNumber(float value) {
    return value == Math.rint(value) && Math.abs(value) < 1e21
        ? (Number) (long) value
        : (Number) value;
  }

  /** Attributes the request names overwrite the given ones; unknown attributes are ignored. */
  private static Map<String, Long> merge(Map<String, Long> current, JsonObject request) {
    JsonObject given = JsonInput.object(request, "attributes");
    Map<String, Long> merged = new LinkedHashMap<>(current);
    merged.replaceAll((attribute, value) -> JsonInput.integer(given, attribute, value));
    return Collections.unmodifiableMap(merged);
  }
}
