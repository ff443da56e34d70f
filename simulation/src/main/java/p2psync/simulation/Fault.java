package p2psync.simulation;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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
  CHURN("churn");

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
    String list = text.strip().toLowerCase(Locale.ROOT);
    if (list.isEmpty() || list.equals("none")) {
      return EnumSet.noneOf(Fault.class);
    }
    if (list.equals("all")) {
      return EnumSet.allOf(Fault.class);
    }
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (String name : list.split("\\s*,\\s*")) {
      faults.add(
          Arrays.stream(values())
              .filter(f -> f.cliName.equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown fault '" + name + "'; known: " + names())));
    }
    return faults;
  }

  /** Every fault's command-line name, comma-separated. */
  public static String names() {
    return Arrays.stream(values()).map(Fault::cliName).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
