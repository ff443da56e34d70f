package p2psync.conform;

import java.util.List;

/** Questions the kit's tests ask of a report. */
final class Reports {
  private Reports() {}

  /** The ids of the cases that failed, required or not, in catalogue order. */
  static List<String> failed(ConformReport report) {
    return report.cases().stream()
        .filter(c -> c.result() == Verdict.FAIL)
        .map(CaseResult::id)
        .toList();
  }

  static CaseResult find(ConformReport report, String id) {
    return report.cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }
}
