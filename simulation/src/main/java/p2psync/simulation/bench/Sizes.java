package p2psync.simulation.bench;

/** Byte sizes on the command line. */
public final class Sizes {
  private Sizes() {}

  /** Parses 1g, 512m, 64k, 1048576 (binary units). */
  public static long parse(String text) {
    String t = text.trim().toLowerCase();
    long unit = 1;
    if (t.endsWith("ib")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
      case 'k' -> unit = 1L << 10;
      case 'm' -> unit = 1L << 20;
      case 'g' -> unit = 1L << 30;
      case 't' -> unit = 1L << 40;
      default -> unit = 1;
    }
    if (unit != 1) {
      t = t.substring(0, t.length() - 1);
    }
    long value = Long.parseLong(t.trim());
    if (value < 0) {
      throw new IllegalArgumentException("negative size: " + text);
    }
    return Math.multiplyExact(value, unit);
  }
}
