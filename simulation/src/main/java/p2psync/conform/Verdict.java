package p2psync.conform;

/** A case's result. Only a FAIL of a required case fails the run. */
public enum Verdict {
  PASS,
  FAIL,
  NOT_APPLICABLE
}
