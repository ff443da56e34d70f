package p2psync.launcher;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Prints log records as the seed programs print: the bare message on standard output, one line each
 * (warnings and errors marked), so course users see the lines they know.
 */
final class ConsoleLogging {
  private ConsoleLogging() {}

  /** No log lines at all: a command that prints its own progress. */
  static void silence() {
    LogManager.getLogManager().reset();
    Logger.getLogger("").setLevel(Level.OFF);
  }

  /**
   * Kept strongly: java.util.logging holds loggers weakly, so a level set on one nobody references
   * is lost at the next garbage collection.
   */
  private static final Logger P2PSYNC = Logger.getLogger("p2psync");

  static void configure(boolean verbose) {
    configure(verbose, Level.INFO);
  }

  /**
   * As {@link #configure(boolean)}, printing from {@code level} up (the benchmarks print warnings
   * only). Verbose adds our debug lines (System.Logger's DEBUG is java.util.logging's FINE) and the
   * stack traces of logged failures, not the debug chatter of Netty and Vert.x.
   */
  static void configure(boolean verbose, Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    P2PSYNC.setLevel(verbose ? Level.FINE : null);
    Handler handler =
        new FlushingHandler(
            System.out,
            new Formatter() {
              @Override
              public String format(LogRecord record) {
                String prefix =
                    record.getLevel().intValue() >= Level.SEVERE.intValue()
                        ? "ERROR: "
                        : record.getLevel().intValue() >= Level.WARNING.intValue()
                            ? "WARNING: "
                            : "";
                String text = prefix + formatMessage(record) + System.lineSeparator();
                Throwable thrown = record.getThrown();
                if (thrown == null) {
                  return text;
                }
                if (verbose) {
                  StringWriter stack = new StringWriter();
                  thrown.printStackTrace(new PrintWriter(stack));
                  return text + stack;
                }
                // Our lines already end with the failure's reason; other libraries' may not.
                String reason = thrown.getMessage();
                return reason != null && text.contains(reason)
                    ? text
                    : text + "  caused by " + thrown + System.lineSeparator();
              }
            });
    handler.setLevel(verbose ? Level.FINE : level);
    root.addHandler(handler);
  }

  /** StreamHandler buffers; a console must show each line at once. */
  private static final class FlushingHandler extends StreamHandler {
    FlushingHandler(PrintStream out, Formatter formatter) {
      super(out, formatter);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      super.publish(record);
      flush();
    }
  }
}
