package p2psync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How {@code p2psync status} prints a v2 peer's {@code "sync"} block of {@code /api/status}. */
class StatusSyncPrintTest {
  private static final long NOW = 1_800_000_000_000L;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "nothing deleted, nothing in conflict",
            "{\"tombstones\":0,\"conflictCopies\":{\"made\":0,\"recent\":[]},"
                + "\"trash\":{\"files\":0,\"bytes\":0,\"entries\":[]}}",
            "sync: 0 tombstones; trash: 0 files, 0 bytes; conflict copies made: 0\n"),
        Arguments.of(
            "a trashed file and a conflict copy",
            "{\"tombstones\":2,\"conflictCopies\":{\"made\":1,"
                + "\"recent\":[\"doc.sync-conflict-20261126-101010-abc.txt\"]},"
                + "\"trash\":{\"files\":1,\"bytes\":4,\"entries\":"
                + "[{\"name\":\"gone.txt\",\"trashedAt\":"
                + (NOW - 90_000)
                + ",\"size\":4}]}}",
            "sync: 2 tombstones; trash: 1 file, 4 bytes; conflict copies made: 1\n"
                + "\n"
                + "TRASHED   SIZE  WHEN\n"
                + "gone.txt  4     90 s ago\n"
                + "\n"
                + "CONFLICT COPY\n"
                + "doc.sync-conflict-20261126-101010-abc.txt\n"),
        Arguments.of(
            "a trash that cannot be read",
            "{\"tombstones\":0,\"conflictCopies\":{\"made\":0,\"recent\":[]},"
                + "\"trash\":{\"files\":-1,\"bytes\":-1,\"entries\":[]}}",
            "sync: 0 tombstones; trash: cannot be read; conflict copies made: 0\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsTheSyncBlock(String title, String sync, String expected) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    StatusCommand.printSync(out, new JsonObject(sync), NOW);
    assertThat(bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"))
        .isEqualTo(expected);
  }
}
