package p2psync.simulation.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Process figures from {@code /proc} (Linux) and the JVM: resident memory, CPU time, the machine.
 */
public final class ProcStats {
  private ProcStats() {}

  /**
   * A {@code kB} field of {@code /proc/PID/status} in bytes (VmRSS, VmHWM), or -1 where there is
   * none.
   */
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

  /**
   * CPU seconds per kind of thread of a process so far (event loops, GC, JIT compiler, other), from
   * {@code /proc/PID/task/*}: where a process's CPU went, without a profiler. Empty where unknown.
   */
  public static Map<String, Double> cpuByThreadKind(long pid) {
    Map<String, Double> seconds = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path task : threads.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          // Fields after the ")" closing the name: state is 3rd, utime 14th and stime 15th overall.
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double cpu =
              (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
          seconds.merge(threadKind(name), cpu, Double::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return Map.of(); // not Linux, or the process is gone
    }
    return seconds;
  }

  /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux the JVM runs on. */
  private static final int CLOCK_TICKS = 100;

  private static String threadKind(String name) {
    if (name.startsWith("vert.x-eventloo")) {
      return "event loops";
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
      return "GC and safepoints";
    }
    if (name.startsWith("C2 Compiler") || name.startsWith("C1 Compiler")) {
      return "JIT compiler";
    }
    return "other";
  }

  /** "event loops 3.1 s, GC 1.2 s, ..." for the difference between two readings. */
  public static String cpuBreakdown(Map<String, Double> before, Map<String, Double> after) {
    StringBuilder out = new StringBuilder();
    after.forEach(
        (kind, cpu) -> {
          if (out.length() > 0) {
            out.append(", ");
          }
          out.append(kind).append(String.format(" %.2f s", cpu - before.getOrDefault(kind, 0.0)));
        });
    return out.length() == 0 ? "n/a" : out.toString();
  }

  /** One line naming the machine: cores, memory, CPU model, JVM. */
  public static String machine() {
    StringBuilder out = new StringBuilder();
    out.append(Runtime.getRuntime().availableProcessors()).append(" cores");
    long mem = memTotal();
    if (mem > 0) {
      out.append(", ")
          .append(
              mem / (1024 * 1024 * 1024.0) > 1
                  ? String.format("%.1f GiB", mem / (1024.0 * 1024 * 1024))
                  : mem + " B")
          .append(" RAM");
    }
    String model = cpuModel();
    if (model != null) {
      out.append(", ").append(model);
    }
    out.append(", ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.version"))
        .append(", max heap ")
        .append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
        .append(" MiB")
        .append(", ")
        .append(
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X"))
                .toList());
    String reporting = freePageReporting();
    if (reporting != null) {
      out.append(", ").append(reporting);
    }
    return out.toString();
  }

  /**
   * This VM's kernel hands freed memory back to its host (virtio-balloon free page reporting); the
   * next step to touch such memory pays a host fault per page, which can double a 1 GiB step
   * (docs/benchmarks.md, sections 15 and 16). Named in the header so a figure is read with it; null
   * where the kernel has no such setting.
   */
  static String freePageReporting() {
    Path minFreeMs = Path.of("/sys/module/page_reporting/parameters/min_free_ms");
    try {
      return Files.isReadable(minFreeMs)
          ? "free page reporting after " + Files.readString(minFreeMs).trim() + " ms"
          : null;
    } catch (IOException e) {
      return null;
    }
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
