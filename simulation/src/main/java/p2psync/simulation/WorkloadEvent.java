package p2psync.simulation;

import java.util.Set;

/**
 * What the simulated users do to the folders while the faults run. Any of them makes every peer a
 * v2 peer (seed peers cannot delete nor keep both sides of a conflict) and the checker judge the
 * sync invariants: every folder ends identical, no version that any peer held is lost.
 */
public enum WorkloadEvent {
  /** A file of one peer gets new content, dated now. */
  EDIT("edit"),
  /** A file of one peer is deleted. */
  DELETE("delete"),
  /** Two peers write different contents to one name, dated the same second. */
  CONCURRENT_EDIT("concurrent-edit");

  private final String cliName;

  WorkloadEvent(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /**
   * Parses {@code edit,delete,...}; {@code none} or an empty text is none, {@code all} every one.
   */
  public static Set<WorkloadEvent> parseList(String text) {
    return CliList.parse(text, WorkloadEvent.class, WorkloadEvent::cliName, "event");
  }

  /** Every event's command-line name, comma-separated. */
  public static String names() {
    return CliList.names(WorkloadEvent.class, WorkloadEvent::cliName);
  }

  @Override
  public String toString() {
    return cliName;
  }
}
