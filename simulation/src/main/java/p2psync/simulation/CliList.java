package p2psync.simulation;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A comma-separated list of an enum's command-line names: {@code none}, {@code all} or names. */
final class CliList {
  private CliList() {}

  static <E extends Enum<E>> Set<E> parse(
      String text, Class<E> type, Function<E, String> cliName, String what) {
    String list = text.strip().toLowerCase(Locale.ROOT);
    if (list.isEmpty() || list.equals("none")) {
      return EnumSet.noneOf(type);
    }
    if (list.equals("all")) {
      return EnumSet.allOf(type);
    }
    Set<E> parsed = EnumSet.noneOf(type);
    for (String name : list.split("\\s*,\\s*")) {
      parsed.add(
          Arrays.stream(type.getEnumConstants())
              .filter(e -> cliName.apply(e).equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown " + what + " '" + name + "'; known: " + names(type, cliName))));
    }
    return parsed;
  }

  /** Every constant's command-line name, comma-separated. */
  static <E extends Enum<E>> String names(Class<E> type, Function<E, String> cliName) {
    return Arrays.stream(type.getEnumConstants()).map(cliName).collect(Collectors.joining(","));
  }
}
