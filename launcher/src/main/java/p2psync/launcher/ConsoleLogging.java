package p2psync.launcher;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Prints log records as the seed programs print: the bare message on standard output, one line
 * each (warnings and errors marked), so course users see the lines they know.
 */
final class ConsoleLogging {
  /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  private ConsoleLogging() {}

  /** No log lines at all: a command that prints its own progress. */
  static void silence() {
    LogManager.getLogManager().reset();
    Logger.getLogger("").setLevel(Level.OFF);
  }

  static void configure(boolean verbose) {
    configure(verbose, Level.INFO);
  }

  /** As {@link #configure(boolean)}, printing from {@code level} up unless verbose (the benchmarks print warnings only). */
  static void configure(boolean verbose, Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(verbose ? Level.FINE : level);
    Handler handler = new FlushingHandler(System.out, new Formatter() {
      @Override
      public String format(LogRecord record) {
        String prefix = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "ERROR: "
            : record.getLevel().intValue() >= Level.WARNING.intValue() ? "WARNING: " : "";
        String text = prefix + formatMessage(record) + System.lineSeparator();
        return record.getThrown() == null ? text : text + "  caused by " + record.getThrown() + System.lineSeparator();
      }
    });
    handler.setLevel(root.getLevel());
    root.addHandler(handler);
    // A cluster node's Hazelcast member narrates every step at INFO; its warnings are what matter.
    HAZELCAST.setLevel(verbose ? Level.INFO : Level.WARNING);
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

    /**
     * The next {@code configure} resets the log manager, which closes this handler: flush, but
     * leave standard output open (closing it silenced every later line of a second command run
     * in the same JVM, as the tests do).
     */
    @Override
    public synchronized void close() {
      flush();
    }
  }
}
