package p2psync.tracker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import p2psync.common.SyncConfig;

class ClusterOptionsTest {
  @Test
  void readsMembersAsAnArrayOrAListAndRoundTrips() {
    ClusterOptions fromText =
        new ClusterOptions(
            new JsonObject()
                .put("clusterHost", "10.0.0.1")
                .put("clusterPort", 5801)
                .put("clusterBusPort", 5901)
                .put("clusterMembers", "10.0.0.1:5801, 10.0.0.2:5801,")
                .put("clusterName", "swarm"));
    assertThat(fromText.getMembers()).containsExactly("10.0.0.1:5801", "10.0.0.2:5801");
    ClusterOptions fromArray =
        new ClusterOptions(
            new JsonObject()
                .put("clusterMembers", new JsonArray().add("10.0.0.1:5801").add("10.0.0.2:5801")));
    assertThat(fromArray.getMembers()).isEqualTo(fromText.getMembers());
    assertThat(new ClusterOptions(fromText.toJson()).toJson()).isEqualTo(fromText.toJson());
    assertThat(new ClusterOptions(new JsonObject()).toJson())
        .isEqualTo(new ClusterOptions().toJson());
  }

  @Test
  void badValuesThrowWithTheKey() {
    for (JsonObject bad :
        new JsonObject[] {
          new JsonObject().put("clusterPort", 0), new JsonObject().put("clusterPort", 70_000),
          new JsonObject().put("clusterBusPort", -1), new JsonObject().put("clusterHost", " "),
          new JsonObject().put("clusterName", ""),
              new JsonObject().put("clusterMembers", new JsonArray().add(" "))
        }) {
      String key = bad.fieldNames().iterator().next();
      assertThatThrownBy(() -> new ClusterOptions(bad)).as(key).hasMessageContaining(key);
    }
  }

  @Test
  void hazelcastJoinsOverTcpIpOnlyWithTheTimingsOfTheConfig() {
    Config config =
        ClusterNode.hazelcastConfig(
            new ClusterOptions().setHost("10.0.0.1").setPort(5801).setName("swarm"),
            new SyncConfig()
                .setTrackerExpiry(Duration.ofMillis(4500))
                .setClusterJoinWait(Duration.ZERO));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1"); // alone: itself
    assertThat(config.getClusterName()).isEqualTo("swarm");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds"))
        .isEqualTo("3"); // 2.25 s, rounded up
    assertThat(config.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.local.localAddress")).isEqualTo("10.0.0.1");
    // Vert.x's own maps are still declared
    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
  }
}
