package p2psync.conform;

/** What a check found: the verdict and the evidence a reader needs to believe it. */
public record Outcome(Verdict verdict, String evidence) {
  static Outcome pass(String evidence) {
    return new Outcome(Verdict.PASS, evidence);
  }

  static Outcome fail(String evidence) {
    return new Outcome(Verdict.FAIL, evidence);
  }

  static Outcome notApplicable(String evidence) {
    return new Outcome(Verdict.NOT_APPLICABLE, evidence);
  }

  /** PASS with {@code evidence} when {@code ok}, else FAIL with it. */
  static Outcome of(boolean ok, String evidence) {
    return new Outcome(ok ? Verdict.PASS : Verdict.FAIL, evidence);
  }
}
