package p2psync.peer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2psync.common.FileNames;

/** Syncthing's conflict names. */
class ConflictNameTest {
  static final Instant T = Instant.parse("2024-05-01T13:04:05Z");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "notes.txt, notes.sync-conflict-20240501-130405-ABCDEFG.txt",
    "archive.tar.gz, archive.tar.sync-conflict-20240501-130405-ABCDEFG.gz",
    "Makefile, Makefile.sync-conflict-20240501-130405-ABCDEFG",
    ".profile, .profile.sync-conflict-20240501-130405-ABCDEFG",
  })
  void namesFollowSyncthing(String name, String expected) {
    assertThat(ConflictName.of(name, T, "ABCDEFG")).isEqualTo(expected);
    assertThat(FileNames.isSyncable(expected)).isTrue();
  }

  @Test
  void aLongNameLosesFromItsStemNeverItsExtension() {
    String name = "é".repeat(120) + ".txt"; // 244 bytes
    String conflict = ConflictName.of(name, T, "ABCDEFG");
    assertThat(conflict.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(FileNames.MAX_NAME_BYTES);
    assertThat(conflict).endsWith(".sync-conflict-20240501-130405-ABCDEFG.txt");
    assertThat(FileNames.isSyncable(conflict)).isTrue();
  }
}
