package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyncConfigTest {

  static final List<String> DURATION_KEYS =
      List.of(
          "keepAliveInterval",
          "trackerExpiry",
          "connectTimeout",
          "transferIdleTimeout",
          "transferTimeout",
          "requestTimeout",
          "reconnectBackoffMin",
          "reconnectBackoffMax",
          "stopTimeout",
          "clusterHeartbeatInterval",
          "clusterMemberTimeout",
          "clusterSyncInterval",
          "clusterMergeDelay",
          "statusPushInterval",
          "trashRetention",
          "tombstoneExpiry");
  static final List<String> INT_KEYS =
      List.of(
          "firstPeerPort",
          "maxLineBytes",
          "maxRequestBytes",
          "maxConcurrentDownloads",
          "maxConcurrentUploads",
          "maxSources",
          "deltaLogVersions",
          "deltaLogBytes",
          "rangedMinBytes",
          "rangeBytes",
          "maxRangeConnections");

  @Test
  void defaults() {
    SyncConfig config = new SyncConfig();
    assertThat(config.getKeepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.getConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.getTransferIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.getTransferTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(config.getRequestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.getReconnectBackoffMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.getReconnectBackoffMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.getFirstPeerPort()).isEqualTo(8000);
    assertThat(config.getMaxLineBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(config.getMaxRequestBytes()).isEqualTo(4096);
    assertThat(config.getMaxConcurrentDownloads()).isEqualTo(4);
    assertThat(config.getMaxConcurrentUploads()).isEqualTo(64);
    assertThat(config.getMaxQueuedUploads()).isEqualTo(512);
  }

  @Test
  void emptyJsonGivesTheDefaults() {
    assertThat(new SyncConfig(new JsonObject()).toJson()).isEqualTo(new SyncConfig().toJson());
  }

  @Test
  void nullJsonIsRefused() {
    assertThatThrownBy(() -> new SyncConfig((JsonObject) null))
        .isInstanceOf(NullPointerException.class);
  }

  // ---- parseDuration ----------------------------------------------------------------------------

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("5s", Duration.ofSeconds(5)),
        Arguments.of("250ms", Duration.ofMillis(250)),
        Arguments.of("2m", Duration.ofMinutes(2)),
        Arguments.of("1h", Duration.ofHours(1)),
        Arguments.of("7d", Duration.ofDays(7)),
        Arguments.of("PT5S", Duration.ofSeconds(5)),
        Arguments.of("pt5s", Duration.ofSeconds(5)),
        Arguments.of("PT0.25S", Duration.ofMillis(250)),
        Arguments.of("PT1H30M", Duration.ofMinutes(90)),
        Arguments.of("P1D", Duration.ofDays(1)),
        Arguments.of(" 5s ", Duration.ofSeconds(5)),
        Arguments.of("5S", Duration.ofSeconds(5)),
        Arguments.of("250MS", Duration.ofMillis(250)),
        Arguments.of("5 s", Duration.ofSeconds(5)),
        Arguments.of("250 ms", Duration.ofMillis(250)),
        Arguments.of("1500", Duration.ofMillis(1500)),
        Arguments.of("15", Duration.ofMillis(15)),
        Arguments.of("5", Duration.ofMillis(5)),
        Arguments.of(1500, Duration.ofMillis(1500)),
        Arguments.of(1500L, Duration.ofMillis(1500)),
        Arguments.of(1500.9, Duration.ofMillis(1500)));
  }

  @ParameterizedTest
  @MethodSource("durations")
  void parsesDurations(Object value, Duration expected) {
    assertThat(SyncConfig.parseDuration("someKey", value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "abc",
        "s",
        "ms",
        "h",
        "5x",
        "1.5s",
        "5 seconds",
        "five s",
        "P",
        "PT",
        "PTXS",
        "--5s",
        "5ss",
        "9999999999999999999999s",
        "9223372036854775807h",
        "9223372036854775807m",
        "PT9999999999999999999H"
      })
  void invalidDurationsThrowWithTheKey(String value) {
    assertThatThrownBy(() -> SyncConfig.parseDuration("someKey", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("someKey");
  }

  // ---- the JSON constructor ---------------------------------------------------------------------

  @Test
  void readsEveryKey() {
    JsonObject json =
        new JsonObject()
            .put("keepAliveInterval", "2s")
            .put("trackerExpiry", "250ms")
            .put("connectTimeout", "PT3S")
            .put("transferIdleTimeout", 1500)
            .put("transferTimeout", "2m")
            .put("requestTimeout", "1h")
            .put("reconnectBackoffMin", "10ms")
            .put("reconnectBackoffMax", "20ms")
            .put("firstPeerPort", 9000)
            .put("maxLineBytes", "1024")
            .put("maxRequestBytes", 512)
            .put("maxConcurrentDownloads", 2)
            .put("maxConcurrentUploads", " 3 ");
    SyncConfig config = new SyncConfig(json);
    assertThat(config.getKeepAliveInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.getTransferIdleTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.getTransferTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.getRequestTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(config.getReconnectBackoffMin()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.getReconnectBackoffMax()).isEqualTo(Duration.ofMillis(20));
    assertThat(config.getFirstPeerPort()).isEqualTo(9000);
    assertThat(config.getMaxLineBytes()).isEqualTo(1024);
    assertThat(config.getMaxRequestBytes()).isEqualTo(512);
    assertThat(config.getMaxConcurrentDownloads()).isEqualTo(2);
    assertThat(config.getMaxConcurrentUploads()).isEqualTo(3);
  }

  @Test
  void unknownKeysAreIgnored() {
    SyncConfig config =
        new SyncConfig(new JsonObject().put("someOtherKey", "x").put("firstPeerPort", 8100));
    assertThat(config.getFirstPeerPort()).isEqualTo(8100);
  }

  @Test
  void nullValuesKeepTheDefault() {
    SyncConfig config =
        new SyncConfig(new JsonObject().putNull("keepAliveInterval").putNull("firstPeerPort"));
    assertThat(config.getKeepAliveInterval()).isEqualTo(SyncConfig.DEFAULT_KEEP_ALIVE_INTERVAL);
    assertThat(config.getFirstPeerPort()).isEqualTo(SyncConfig.DEFAULT_FIRST_PEER_PORT);
  }

  static Stream<Arguments> invalidValues() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String key : DURATION_KEYS) {
      out.add(Arguments.of(key, "abc"));
      out.add(Arguments.of(key, "0s"));
      out.add(Arguments.of(key, "-5s"));
      out.add(Arguments.of(key, 0));
      out.add(Arguments.of(key, -1));
      out.add(Arguments.of(key, "PT-1S"));
      out.add(Arguments.of(key, true));
    }
    for (String key : INT_KEYS) {
      out.add(Arguments.of(key, "abc"));
      out.add(Arguments.of(key, "1.5"));
      out.add(Arguments.of(key, 0));
      out.add(Arguments.of(key, -1));
      out.add(Arguments.of(key, true));
      out.add(Arguments.of(key, Integer.MIN_VALUE));
      out.add(Arguments.of(key, 1.5));
      out.add(Arguments.of(key, 4_294_967_296L + 100)); // wraps to 100 as an int
      out.add(Arguments.of(key, 4_294_967_296L + 8_000));
      out.add(Arguments.of(key, 1e10));
    }
    out.add(Arguments.of("firstPeerPort", 65_536));
    out.add(Arguments.of("firstPeerPort", "70000"));
    out.add(Arguments.of("maxLineBytes", 63));
    out.add(Arguments.of("maxRequestBytes", 255));
    out.add(Arguments.of("maxRequestBytes", (1 << 20) + 1));
    out.add(Arguments.of("maxConcurrentDownloads", 1025));
    out.add(Arguments.of("maxConcurrentUploads", 65_537));
    out.add(Arguments.of("maxSources", 65_537));
    out.add(Arguments.of("maxQueuedUploads", -1));
    out.add(Arguments.of("maxQueuedUploads", 65_537));
    out.add(Arguments.of("maxQueuedUploads", "abc"));
    return out.build();
  }

  @ParameterizedTest
  @MethodSource("invalidValues")
  void invalidValuesThrowWithTheKey(String key, Object value) {
    JsonObject json = new JsonObject().put(key, value);
    assertThatThrownBy(() -> new SyncConfig(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }

  @Test
  void rangeBoundsAreAccepted() {
    SyncConfig low =
        new SyncConfig(
            new JsonObject()
                .put("firstPeerPort", 1)
                .put("maxLineBytes", 64)
                .put("maxRequestBytes", 256)
                .put("maxConcurrentDownloads", 1)
                .put("maxConcurrentUploads", 1));
    assertThat(low.getFirstPeerPort()).isEqualTo(1);
    assertThat(low.getMaxLineBytes()).isEqualTo(64);
    assertThat(low.getMaxRequestBytes()).isEqualTo(256);
    SyncConfig high =
        new SyncConfig(
            new JsonObject()
                .put("firstPeerPort", 65_535)
                .put("maxLineBytes", Integer.MAX_VALUE)
                .put("maxRequestBytes", 1 << 20)
                .put("maxConcurrentDownloads", 1024)
                .put("maxConcurrentUploads", 65_536));
    assertThat(high.getFirstPeerPort()).isEqualTo(65_535);
    assertThat(high.getMaxLineBytes()).isEqualTo(Integer.MAX_VALUE);
    assertThat(high.getMaxConcurrentUploads()).isEqualTo(65_536);
    // a whole number written as a float (as some YAML and JSON writers do) is still that number
    assertThat(new SyncConfig(new JsonObject().put("firstPeerPort", 8001.0)).getFirstPeerPort())
        .isEqualTo(8001);
    assertThat(new SyncConfig(new JsonObject().put("firstPeerPort", 8002L)).getFirstPeerPort())
        .isEqualTo(8002);
  }

  @Test
  void backoffMaxBelowMinIsRefused() {
    JsonObject json =
        new JsonObject().put("reconnectBackoffMin", "2s").put("reconnectBackoffMax", "1s");
    assertThatThrownBy(() -> new SyncConfig(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reconnectBackoffMax")
        .hasMessageContaining("reconnectBackoffMin");
    // a minimum above the default maximum alone is refused too
    assertThatThrownBy(() -> new SyncConfig(new JsonObject().put("reconnectBackoffMin", "1m")))
        .isInstanceOf(IllegalArgumentException.class);
    // equal is fine
    SyncConfig equal =
        new SyncConfig(
            new JsonObject().put("reconnectBackoffMin", "1s").put("reconnectBackoffMax", "1s"));
    assertThat(equal.getReconnectBackoffMax()).isEqualTo(Duration.ofSeconds(1));
  }

  // ---- trackerExpiry ----------------------------------------------------------------------------

  @Test
  void trackerExpiryDefaultsToThreeKeepAliveIntervals() {
    SyncConfig config = new SyncConfig().setKeepAliveInterval(Duration.ofMillis(200));
    assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofMillis(600));
    config.setKeepAliveInterval(Duration.ofSeconds(7));
    assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofSeconds(21));
    assertThat(
            new SyncConfig(new JsonObject().put("keepAliveInterval", "100ms")).getTrackerExpiry())
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void explicitTrackerExpiryWins() {
    SyncConfig config = new SyncConfig().setTrackerExpiry(Duration.ofSeconds(180));
    config.setKeepAliveInterval(Duration.ofSeconds(1));
    assertThat(config.getTrackerExpiry()).isEqualTo(Duration.ofSeconds(180));
    SyncConfig fromJson =
        new SyncConfig(new JsonObject().put("keepAliveInterval", "1s").put("trackerExpiry", "4s"));
    assertThat(fromJson.getTrackerExpiry()).isEqualTo(Duration.ofSeconds(4));
  }

  // ---- cluster timings -------------------------------------------------------------------------

  @Test
  void clusterMemberTimeoutFollowsTrackerExpiryUnlessSet() {
    assertThat(new SyncConfig().getClusterMemberTimeout())
        .isEqualTo(Duration.ofSeconds(8)); // 15 s / 2, rounded up
    SyncConfig shrunk = new SyncConfig().setTrackerExpiry(Duration.ofSeconds(3));
    assertThat(shrunk.getClusterMemberTimeout())
        .isEqualTo(Duration.ofSeconds(2)); // two heartbeats at least
    shrunk.setClusterHeartbeatInterval(Duration.ofSeconds(2));
    assertThat(shrunk.getClusterMemberTimeout()).isEqualTo(Duration.ofSeconds(4));
    shrunk.setClusterMemberTimeout(Duration.ofSeconds(30));
    assertThat(shrunk.getClusterMemberTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(new SyncConfig().toJson().containsKey("clusterMemberTimeout")).isFalse();
  }

  @Test
  void clusterJoinWaitMayBeZeroButNotNegative() {
    assertThat(new SyncConfig(new JsonObject().put("v2LineInterval", "0s")).getV2LineInterval())
        .isZero();
    assertThatThrownBy(() -> new SyncConfig(new JsonObject().put("v2LineInterval", "-1s")))
        .hasMessageContaining("v2LineInterval");
    assertThat(
            new SyncConfig(new JsonObject().put("directoryPushInterval", "0s"))
                .getDirectoryPushInterval())
        .isZero();
    assertThatThrownBy(() -> new SyncConfig(new JsonObject().put("directoryPushInterval", "-1s")))
        .hasMessageContaining("directoryPushInterval");
    assertThat(new SyncConfig(new JsonObject().put("clusterJoinWait", "0s")).getClusterJoinWait())
        .isZero();
    assertThatThrownBy(() -> new SyncConfig(new JsonObject().put("clusterJoinWait", "-1s")))
        .hasMessageContaining("clusterJoinWait");
  }

  // ---- setters ----------------------------------------------------------------------------------

  @Test
  void durationSettersRefuseNonPositiveValues() {
    SyncConfig config = new SyncConfig();
    for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
      assertThatThrownBy(() -> config.setKeepAliveInterval(bad))
          .hasMessageContaining("keepAliveInterval");
      assertThatThrownBy(() -> config.setTrackerExpiry(bad)).hasMessageContaining("trackerExpiry");
      assertThatThrownBy(() -> config.setConnectTimeout(bad))
          .hasMessageContaining("connectTimeout");
      assertThatThrownBy(() -> config.setTransferIdleTimeout(bad))
          .hasMessageContaining("transferIdleTimeout");
      assertThatThrownBy(() -> config.setTransferTimeout(bad))
          .hasMessageContaining("transferTimeout");
      assertThatThrownBy(() -> config.setRequestTimeout(bad))
          .hasMessageContaining("requestTimeout");
      assertThatThrownBy(() -> config.setReconnectBackoffMin(bad))
          .hasMessageContaining("reconnectBackoffMin");
      assertThatThrownBy(() -> config.setReconnectBackoffMax(bad))
          .hasMessageContaining("reconnectBackoffMax");
    }
    assertThat(config.toJson()).isEqualTo(new SyncConfig().toJson());
  }

  @Test
  void intSettersRefuseOutOfRangeValues() {
    SyncConfig config = new SyncConfig();
    assertThatThrownBy(() -> config.setFirstPeerPort(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.setMaxLineBytes(63))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.setMaxRequestBytes(255))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.setMaxConcurrentDownloads(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.setMaxConcurrentUploads(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(config.toJson()).isEqualTo(new SyncConfig().toJson());
  }

  // ---- round trip -------------------------------------------------------------------------------

  private static SyncConfig everythingChanged() {
    return new SyncConfig()
        .setKeepAliveInterval(Duration.ofMillis(150))
        .setTrackerExpiry(Duration.ofMillis(1234))
        .setConnectTimeout(Duration.ofSeconds(2))
        .setTransferIdleTimeout(Duration.ofMillis(777))
        .setTransferTimeout(Duration.ofMinutes(3))
        .setRequestTimeout(Duration.ofMillis(2500))
        .setReconnectBackoffMin(Duration.ofMillis(5))
        .setReconnectBackoffMax(Duration.ofMillis(50))
        .setStopTimeout(Duration.ofSeconds(3))
        .setFirstPeerPort(12000)
        .setMaxLineBytes(4096)
        .setMaxRequestBytes(300)
        .setMaxConcurrentDownloads(7)
        .setMaxConcurrentUploads(9)
        .setMaxQueuedUploads(11)
        .setClusterHeartbeatInterval(Duration.ofSeconds(2))
        .setClusterMemberTimeout(Duration.ofSeconds(7))
        .setClusterSyncInterval(Duration.ofMillis(300))
        .setClusterJoinWait(Duration.ZERO)
        .setClusterMergeDelay(Duration.ofSeconds(3))
        .setDirectoryPushInterval(Duration.ofMillis(40))
        .setDeltaLogVersions(17)
        .setDeltaLogBytes(5000)
        .setWatchDelay(Duration.ZERO)
        .setTrashRetention(Duration.ofDays(2))
        .setTombstoneExpiry(Duration.ofHours(5))
        .setMaxClockSkew(Duration.ofSeconds(9))
        .setDirectorySweepInterval(Duration.ofSeconds(4))
        .setRescanInterval(Duration.ofSeconds(40));
  }

  @Test
  void toJsonRoundTrips() {
    SyncConfig original = everythingChanged();
    JsonObject json = original.toJson();
    assertThat(json.fieldNames())
        .containsExactlyInAnyOrderElementsOf(
            Stream.of(
                    DURATION_KEYS.stream(),
                    INT_KEYS.stream(),
                    Stream.of(
                        "clusterJoinWait",
                        "v2LineInterval",
                        "directoryPushInterval",
                        "watchDelay",
                        "maxClockSkew",
                        "directorySweepInterval",
                        "rescanInterval",
                        "maxQueuedUploads"))
                .flatMap(k -> k)
                .toList());
    SyncConfig copy = new SyncConfig(json);
    assertThat(copy.toJson()).isEqualTo(json);
    assertThat(copy.getTrackerExpiry()).isEqualTo(Duration.ofMillis(1234));
    assertThat(copy.getKeepAliveInterval()).isEqualTo(Duration.ofMillis(150));
    assertThat(copy.getMaxConcurrentUploads()).isEqualTo(9);
  }

  @Test
  void toJsonRoundTripsThroughText() {
    SyncConfig original = everythingChanged();
    SyncConfig copy = new SyncConfig(new JsonObject(original.toJson().encode()));
    assertThat(copy.toJson()).isEqualTo(original.toJson());
    assertThat(new JsonObject(original.toString())).isEqualTo(original.toJson());
  }

  @Test
  void safetyNetsFollowTheKeepAliveIntervalUnlessSetAndZeroTurnsTheSweepOff() {
    assertThat(new SyncConfig().getRescanInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(new SyncConfig().getDirectorySweepInterval()).isEqualTo(Duration.ofMinutes(1));
    SyncConfig fast = new SyncConfig().setKeepAliveInterval(Duration.ofMillis(250));
    assertThat(fast.getRescanInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(fast.getDirectorySweepInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(fast.setRescanInterval(Duration.ofSeconds(7)).getDirectorySweepInterval())
        .isEqualTo(Duration.ofSeconds(7));
    assertThatThrownBy(() -> new SyncConfig().setRescanInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    SyncConfig off =
        new SyncConfig(
            new JsonObject().put("keepAliveInterval", "1s").put("directorySweepInterval", "0s"));
    assertThat(off.getDirectorySweepInterval()).isZero();
    assertThatThrownBy(() -> new SyncConfig().setDirectorySweepInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsRoundTrip() {
    SyncConfig copy = new SyncConfig(new SyncConfig().toJson());
    assertThat(copy.toJson()).isEqualTo(new SyncConfig().toJson());
    assertThat(copy.getTrackerExpiry()).isEqualTo(Duration.ofSeconds(15));
  }
}
