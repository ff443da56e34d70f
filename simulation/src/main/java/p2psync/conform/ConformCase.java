package p2psync.conform;

/**
 * One row of a catalogue: an id, what the protocol says, whether a conforming program must pass it,
 * and the check that plays it. Adding a case is adding a row.
 */
public record ConformCase<P>(
    String id, String title, String says, boolean required, Check<P> check) {
  /** Plays the case against the program through {@code probe}; an exception is a FAIL. */
  @FunctionalInterface
  public interface Check<P> {
    Outcome run(P probe) throws Exception;
  }
}
