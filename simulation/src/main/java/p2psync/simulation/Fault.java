package p2psync.simulation;

import java.util.Set;

/** The faults a simulation can inject, by the names the command line uses. */
public enum Fault {
  /** Latency with jitter on every proxy, tracker included. */
  LATENCY("latency"),
  /** A low bandwidth on some file servers' proxies. */
  BANDWIDTH("bandwidth"),
  /** Connections to some file servers cut after a few bytes ({@code limit_data}): short bodies. */
  DROP("drop"),
  /** Connections to some file servers reset ({@code reset_peer}). */
  RESET("reset"),
  /**
   * Some file servers' responses held back ({@code timeout} 0): the downloader's idle timeout
   * fires.
   */
  STALL("stall"),
  /** The tracker's proxy disabled, then enabled: peers reconnect and send Init again. */
  CUT("cut"),
  /** The tracker undeployed and deployed again on the same port. */
  TRACKER_RESTART("tracker-restart"),
  /** Some peers undeployed mid-run and deployed again on the same folder. */
  CRASH("crash"),
  /** Some peers join late, some (which start empty) leave for good. */
  CHURN("churn"),
  /**
   * With {@code --trackers} 2 or more: a tracker node killed (as by kill -9), a fresh one started
   * later in its place.
   */
  TRACKER_CRASH("tracker-crash"),
  /**
   * With {@code --trackers} 2 or more: the replication between two halves of the tracker nodes cut,
   * then healed.
   */
  PARTITION("partition");

  private final String cliName;

  Fault(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /**
   * Parses {@code latency,drop,...}; {@code none} or an empty text is no fault, {@code all} every
   * fault.
   */
  public static Set<Fault> parseList(String text) {
    return CliList.parse(text, Fault.class, Fault::cliName, "fault");
  }

  /** Every fault's command-line name, comma-separated. */
  public static String names() {
    return CliList.names(Fault.class, Fault::cliName);
  }

  @Override
  public String toString() {
    return cliName;
  }
}
