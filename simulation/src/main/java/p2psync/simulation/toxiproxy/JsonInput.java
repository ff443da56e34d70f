package p2psync.simulation.toxiproxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Typed reads of request bodies. The body is parsed whatever the Content-Type says, because
 * toxiproxy-java posts JSON as a form. A field that is absent or null keeps its fallback, as Go's
 * decoder leaves such struct fields alone; a field of the wrong JSON type is a 400.
 */
final class JsonInput {
  private JsonInput() {}

  static JsonObject object(Buffer body) {
    if (parse(body) instanceof JsonObject object) {
      return object;
    }
    throw ApiError.badRequestBody("expected a JSON object");
  }

  static JsonArray array(Buffer body) {
    if (parse(body) instanceof JsonArray array) {
      return array;
    }
    throw ApiError.badRequestBody("expected a JSON array");
  }

  static String string(JsonObject json, String field, String fallback) {
    return typed(json, field, String.class, "a string", fallback);
  }

  static boolean bool(JsonObject json, String field, boolean fallback) {
    return typed(json, field, Boolean.class, "a boolean", fallback);
  }

  static float number(JsonObject json, String field, float fallback) {
    Number value = typed(json, field, Number.class, "a number", null);
    return value == null ? fallback : value.floatValue();
  }

  /**
   * The field's value if it has {@code type}, {@code fallback} if it is absent; any other type is a
   * 400.
   */
  private static <T> T typed(
      JsonObject json, String field, Class<T> type, String description, T fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    throw wrongType(field, description);
  }

  /** Toxic attributes are Go int64s: integral JSON numbers only. */
  static long integer(JsonObject json, String field, long fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw wrongType(field, "an integer");
  }

  /** A nested object, or an empty one when absent or null. */
  static JsonObject object(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw wrongType(field, "an object");
  }

  private static Object parse(Buffer body) {
    if (body == null || body.toString().isBlank()) {
      throw ApiError.badRequestBody("EOF"); // Go's decoder on an empty body
    }
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiError.badRequestBody(e.getMessage());
    }
  }

  private static ApiError wrongType(String field, String expected) {
    return ApiError.badRequestBody(field + " must be " + expected);
  }
}
