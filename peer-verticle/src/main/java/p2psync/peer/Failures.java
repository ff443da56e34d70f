package p2psync.peer;

import java.io.IOException;

/** Failures that keep their cause and say what was being done. */
final class Failures {
  private Failures() {}

  /** The failure's own words, or its type when it has none (a bare NullPointerException, say). */
  static String reason(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /** {@code what: reason}, with {@code cause} kept for the stack trace. */
  static IOException because(String what, Throwable cause) {
    return new IOException(what + ": " + reason(cause), cause);
  }
}
