package p2psync.simulation.toxiproxy;

import io.vertx.core.json.JsonObject;

/**
 * A failed API call as Toxiproxy reports it: an HTTP status and the body {@code {"error": "...",
 * "status": N}}. The messages are Toxiproxy's own (api.go), since clients show them to people.
 */
final class ApiError extends RuntimeException {
  private final int status;

  private ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiError badRequestBody(String detail) {
    return new ApiError(400, "bad request body: " + detail);
  }

  static ApiError missingField(String field) {
    return new ApiError(400, "missing required field: " + field);
  }

  static ApiError invalidStream() {
    return new ApiError(400, "stream was invalid, can be either upstream or downstream");
  }

  static ApiError invalidToxicType() {
    return new ApiError(400, "invalid toxic type");
  }

  static ApiError proxyNotFound() {
    return new ApiError(404, "proxy not found");
  }

  static ApiError toxicNotFound() {
    return new ApiError(404, "toxic not found");
  }

  static ApiError proxyAlreadyExists() {
    return new ApiError(409, "proxy already exists");
  }

  static ApiError toxicAlreadyExists() {
    return new ApiError(409, "toxic already exists");
  }

  /** Failures Toxiproxy has no status for (a bad listen address, a port taken) answer 500. */
  static ApiError internal(String message) {
    return new ApiError(500, message);
  }

  static ApiError of(Throwable failure) {
    return failure instanceof ApiError error
        ? error
        : internal(String.valueOf(failure.getMessage()));
  }

  int status() {
    return status;
  }

  JsonObject toJson() {
    return new JsonObject().put("error", getMessage()).put("status", status);
  }
}
