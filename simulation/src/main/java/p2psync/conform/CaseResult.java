package p2psync.conform;

import java.util.List;

/** One case as the report shows it: the row, the exchange on the wire and the verdict. */
public record CaseResult(
    String id,
    String title,
    String says,
    boolean required,
    Verdict result,
    String evidence,
    List<String> sent,
    List<String> received,
    long millis) {
  /** True when this result fails the run. */
  public boolean failsRun() {
    return required && result == Verdict.FAIL;
  }
}
