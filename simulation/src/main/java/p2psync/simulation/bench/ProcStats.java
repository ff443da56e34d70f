package p2psync.simulation.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Process figures from {@code /proc} (Linux) and the JVM: resident memory, CPU time, the machine. */
public final class ProcStats {
  private ProcStats() {}

  /** A {@code kB} field of {@code /proc/PID/status} in bytes (VmRSS, VmHWM), or -1 where there is none. */
  public static long statusBytes(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  public static long selfStatusBytes(String field) {
    return statusBytes(ProcessHandle.current().pid(), field);
  }

  /** CPU time (user + system) a process used so far, or null where unknown. */
  public static Duration cpuTime(ProcessHandle process) {
    Optional<Duration> cpu = process.info().totalCpuDuration();
    return cpu.orElse(null);
  }

  /** One line naming the machine: cores, memory, CPU model, JVM. */
  public static String machine() {
    StringBuilder out = new StringBuilder();
    out.append(Runtime.getRuntime().availableProcessors()).append(" cores");
    long mem = memTotal();
    if (mem > 0) {
      out.append(", ").append(mem / (1024 * 1024 * 1024.0) > 1 ? String.format("%.1f GiB", mem / (1024.0 * 1024 * 1024)) : mem + " B")
          .append(" RAM");
    }
    String model = cpuModel();
    if (model != null) {
      out.append(", ").append(model);
    }
    out.append(", ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
        .append(", max heap ").append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB")
        .append(", ").append(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-X")).toList());
    return out.toString();
  }

  private static long memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return null;
  }

  static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format("%.1f MiB", bytes / (1024.0 * 1024));
  }
}
