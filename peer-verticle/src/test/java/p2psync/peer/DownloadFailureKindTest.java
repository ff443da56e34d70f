package p2psync.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code reason} tag a failed download counts under, from the failures downloads give. */
class DownloadFailureKindTest {

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            Failures.because("cannot connect to 127.0.0.1:1", new ConnectException("refused")),
            "connect"),
        Arguments.of(new IOException("no data for PT2S (12 of 40 bytes)"), "timeout"),
        Arguments.of(new IOException("transfer took longer than PT1M"), "timeout"),
        Arguments.of(
            Failures.because("bad response from 127.0.0.1:9", new IOException("no header")),
            "bad_response"),
        Arguments.of(
            Failures.because("connection error (3 of 9 bytes)", new IOException("reset")),
            "connection"),
        Arguments.of(new IOException("the peer is stopping"), "stopped"),
        // the kinds that used to be counted as "other": the wrapper says what was being done,
        // its cause what went wrong
        Arguments.of(
            Failures.because(
                "cannot store the file",
                new IOException("the local copy changed meanwhile and is as new, keeping it")),
            "superseded"),
        Arguments.of(
            Failures.because("cannot store the file", new IOException("wrote 3 of 5 bytes")),
            "disk"),
        Arguments.of(new IOException("cannot create a temp file in /f"), "disk"),
        Arguments.of(new IllegalStateException(), "other"),
        Arguments.of(looping(), "other"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("failures")
  void countsUnderItsKind(Throwable failure, String kind) {
    assertThat(Downloader.kind(failure)).isEqualTo(kind);
  }

  /** A cause chain that loops back on itself, as a careless wrapper can make. */
  private static Throwable looping() {
    IOException outer = new IOException("cannot store the file");
    IOException inner = new IOException("still cannot", outer);
    outer.initCause(inner);
    return outer;
  }
}
