package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecordsAndLocalPortsTest {

  @Test
  void fileEntryRequiresAName() {
    assertThatThrownBy(() -> new FileEntry(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("name");
    assertThat(new FileEntry("a", 1))
        .isEqualTo(new FileEntry("a", 1))
        .isNotEqualTo(new FileEntry("a", 2));
  }

  @Test
  void directoryEntryRequiresAnIpAndPrintsItsAddress() {
    assertThatThrownBy(() -> new DirectoryEntry(null, 1, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ip");
    assertThat(new DirectoryEntry("127.0.0.1", 8001, 5).address()).isEqualTo("127.0.0.1:8001");
  }

  @Test
  void localPortsHoldAndRelease() {
    int port = 61_234;
    assertThat(LocalPorts.isHeld(port)).isFalse();
    assertThat(LocalPorts.hold(port)).isTrue();
    try {
      assertThat(LocalPorts.isHeld(port)).isTrue();
      assertThat(LocalPorts.hold(port)).as("second hold of the same port").isFalse();
      assertThat(LocalPorts.isHeld(port + 1)).isFalse();
    } finally {
      LocalPorts.release(port);
    }
    assertThat(LocalPorts.isHeld(port)).isFalse();
    assertThat(LocalPorts.hold(port)).isTrue();
    LocalPorts.release(port);
    LocalPorts.release(port); // releasing twice is harmless
    assertThat(LocalPorts.isHeld(port)).isFalse();
  }
}
