package p2psync.launcher;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every long-running command shares: a config file and the log level. */
final class ServiceOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "JSON or YAML file with config keys (see README).")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also print debug lines.")
  boolean verbose;
}
