package p2psync.simulation.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2psync.simulation.FolderState;

/** The plain-NIO baseline moves every byte, checks what it must, and fails rather than hangs. */
class PipelineFloorTest {
  @TempDir Path dir;

  /** Not a whole number of buffers, so the last one is short. */
  private Path source() throws IOException {
    byte[] bytes = new byte[3 * PipelineFloor.BUFFER_BYTES + 12345];
    new Random(7).nextBytes(bytes);
    return Files.write(dir.resolve("source.bin"), bytes);
  }

  @Test
  void pullsEveryByteWithAndWithoutTheHash() throws Exception {
    Path source = source();
    PipelineFloor floor = new PipelineFloor();
    String sha256 = FolderState.sha256(source);
    assertThat(floor.pull(source, dir.resolve("hashed.bin"), sha256)).isPositive();
    assertThat(floor.pull(source, dir.resolve("plain.bin"), null)).isPositive();
    assertThat(dir.resolve("hashed.bin")).hasSameBinaryContentAs(source);
    assertThat(dir.resolve("plain.bin")).hasSameBinaryContentAs(source);
  }

  @Test
  void aDigestThatDoesNotMatchFailsThePull() throws Exception {
    Path source = source();
    assertThatThrownBy(
            () -> new PipelineFloor().pull(source, dir.resolve("t.bin"), "00".repeat(32)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SHA-256");
  }

  @Test
  void aFailedLaneIsThrownToTheReceiverInsteadOfLeavingItWaitingForBuffers() {
    // every buffer held by a lane that failed: none will come back
    ArrayBlockingQueue<ByteBuffer> empty = new ArrayBlockingQueue<>(1);
    CompletableFuture<Void> writer = CompletableFuture.failedFuture(new IOException("disk full"));
    CompletableFuture<Void> hasher = new CompletableFuture<>();
    assertThatThrownBy(() -> PipelineFloor.free(empty, writer, hasher))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");
  }
}
