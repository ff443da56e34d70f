package p2psync.simulation.external;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the relay does to each line an external peer sends: only the top-level port changes. */
class PortRelayTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Vertx vertx;
  private final List<Integer> told = new ArrayList<>();
  private PortRelay relay;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    relay = new PortRelay(vertx, "127.0.0.1", 1, 4242, told::add);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Init | {\"port\": 8000, \"files\": [{\"name\": \"a.txt\", \"mtime\": 5}]}"
            + " | {\"port\":4242,\"files\":[{\"name\":\"a.txt\",\"mtime\":5}]} | 8000",
        "KeepAlive | {\"port\": 8001} | {\"port\":4242} | 8001",
        "a file named port | {\"port\": 8002, \"files\": [{\"name\": \"port\", \"mtime\": 1}]}"
            + " | {\"port\":4242,\"files\":[{\"name\":\"port\",\"mtime\":1}]} | 8002",
        "extra fields kept in place | {\"v\": 2, \"port\": 8003, \"x\": \"\\u00e9\"}"
            + " | {\"v\":2,\"port\":4242,\"x\":\"\u00e9\"} | 8003",
        "no port: as it came | {\"files\": []} | {\"files\": []} | -1",
        "not JSON: as it came | {\"port\": 80 | {\"port\": 80 | -1",
        "a port that is no number: as it came | {\"port\": \"x\"} | {\"port\": \"x\"} | -1",
      })
  void rewritesOnlyThePort(String what, String line, String expected, int port) throws Exception {
    Buffer out = relay.rewrite(Buffer.buffer(line));
    if (port < 0) {
      assertThat(out.toString()).isEqualTo(expected);
      assertThat(told).isEmpty();
    } else {
      assertThat(JSON.readTree(out.getBytes())).isEqualTo(JSON.readTree(expected));
      assertThat(out.toString()).isEqualTo(expected);
      assertThat(told).containsExactly(port);
    }
  }
}
