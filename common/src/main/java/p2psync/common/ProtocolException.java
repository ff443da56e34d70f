package p2psync.common;

/** Input that breaks the wire protocol; the message says what was wrong, for logs and clients. */
public class ProtocolException extends Exception {
  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
