package p2psync.simulation;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import p2psync.simulation.external.ExternalPeer;
import p2psync.simulation.external.ExternalProgram;
import p2psync.simulation.external.ExternalTracker;
import p2psync.simulation.external.PortRelay;
import p2psync.tracker.TrackerVerticle;
import p2psync.tracker.cluster.LoopbackCluster;
import p2psync.tracker.web.TrackerWeb;

/**
 * A tracker and many peers on one Vert.x, with a Toxiproxy proxy in front of the tracker and of
 * every peer's file server, so that every byte between two parties crosses a proxy. With more than
 * one tracker, a {@link LoopbackCluster} of tracker nodes, each behind its own proxy, the peers
 * spread over them with the other nodes to fail over to. Faults follow a {@link FaultPlan} for the
 * run's duration; then all are lifted and the run waits until every peer holds the newest version
 * of every file. A {@link ConvergenceChecker} samples the folders all along. Blocking: run it from
 * a main or test thread, never an event loop.
 */
public final class Simulation {
  private static final System.Logger LOG = System.getLogger(Simulation.class.getName());

  /** One look at the swarm: converged peers out of those expected, transfers so far, faults on. */
  public record Sample(
      long millis,
      int converged,
      int expected,
      long completed,
      long failed,
      long bytes,
      List<String> activeFaults) {}

  /** Told every sample, from the sampling thread (for a progress line). */
  public interface Listener {
    void onSample(Sample sample);
  }

  /** A proxy's upstream until its peer listens: nobody learns the proxy's port before then. */
  private static final int NOT_LISTENING_YET = 9;

  private static final long STOP_TIMEOUT_SECONDS = 20;
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final SimulationOptions options;
  private final Listener listener;
  private final FaultPlan plan;
  private final Workload workload;

  /** What users do to the folders during the faults; empty: the seed semantics are judged. */
  private final List<EventPlan.Event> events;

  private EventRunner eventRunner;
  private final String proxyPrefix =
      "p2psync-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet() + "-";
  private final Set<FaultPlan.Window> active = ConcurrentHashMap.newKeySet();
  private final List<Sample> timeline = Collections.synchronizedList(new ArrayList<>());
  private final List<String> faultErrors = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Long> convergedAfterFaults = new CompletableFuture<>();
  private final List<Proxy> peerProxies = new ArrayList<>();
  private Swarm swarm;
  private ToxiproxyBackend toxiproxy;
  private ConvergenceChecker checker;
  private Proxy trackerProxy;
  private LoopbackCluster cluster;

  /**
   * With a cluster: node k's current incarnation, and the proxy in front of it (which outlives it).
   */
  private final List<LoopbackCluster.Node> nodes = new ArrayList<>();

  private final List<Proxy> nodeProxies = new ArrayList<>();

  /** The peers that are another program, by index (the last {@code externalPeers}). */
  private final Map<Integer, ExternalPeer> externals = new HashMap<>();

  private final List<PortRelay> relays = new ArrayList<>();

  /** Where each peer reaches its tracker (a proxy): an external peer's relay connects there. */
  private final List<ToxiproxyBackend.Endpoint> trackerFor = new ArrayList<>();

  private ExternalTracker externalTracker;
  private Path externalLogs;
  private Vertx vertx;
  private long startNanos;
  private volatile long faultsOverMillis = -1;
  private volatile long firstConvergedMillis = -1;

  private Simulation(SimulationOptions options, Listener listener) {
    options.checkExternals();
    this.options = options;
    this.listener = listener;
    this.plan =
        FaultPlan.draw(
            options.seed(),
            options.peers(),
            options.trackers(),
            options.faults(),
            options.duration(),
            options.sync().getTransferIdleTimeout());
    this.workload =
        Workload.generate(
            options.seed(),
            options.peers(),
            options.filesPerPeer(),
            options.maxFileSize(),
            plan.leavers());
    this.events =
        EventPlan.draw(options.seed(), options.peers(), options.events(), options.duration(), plan);
  }

  /** Runs one simulation and reports on it; throws only when it could not be set up. */
  public static SimulationReport run(SimulationOptions options, Listener listener)
      throws Exception {
    return new Simulation(options, listener).run();
  }

  private SimulationReport run() throws Exception {
    boolean tempRoot = options.root() == null;
    Path root =
        tempRoot
            ? Files.createTempDirectory("p2psync-sim-")
            : Files.createDirectories(options.root());
    vertx = Vertx.vertx();
    ScheduledExecutorService faults =
        Executors.newSingleThreadScheduledExecutor(daemon("p2psync-faults"));
    ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(daemon("p2psync-sampler"));
    SimulationReport report = null;
    try {
      toxiproxy = ToxiproxyBackend.open(options.toxiproxy(), vertx);
      swarm = new Swarm(vertx, root, options.sync()).setHost(toxiproxy.serverHost());
      writeFolders();
      if (!options.events().isEmpty()) {
        eventRunner =
            new EventRunner(
                workload, swarm.peers().stream().map(Swarm.Peer::folder).toList(), options.peers());
      }
      checker = new ConvergenceChecker(workload, eventRunner, root);
      wireProxies();
      startNanos = System.nanoTime();
      scheduleFaults(faults);
      sampler.scheduleWithFixedDelay(
          this::sample, 0, options.sampleInterval().toMillis(), TimeUnit.MILLISECONDS);
      faults
          .schedule(
              () -> faultsOverMillis = elapsedMillis(),
              options.duration().toMillis(),
              TimeUnit.MILLISECONDS)
          .get();
      long after = waitForConvergence();
      sampler.shutdown();
      sampler.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      report = report(after, checkAtTheEnd());
      return report;
    } finally {
      faults.shutdownNow();
      sampler.shutdownNow();
      shutDown(vertx);
      if (tempRoot) {
        Blocking.deleteTree(root);
        if (externalLogs != null && report != null && report.converged()) {
          Blocking.deleteTree(externalLogs); // kept as evidence only when the run failed
        }
      }
    }
  }

  private void writeFolders() {
    for (int i = 0; i < options.peers(); i++) {
      Map<String, byte[]> files = new LinkedHashMap<>();
      workload.folder(i).forEach((name, version) -> files.put(name, version.bytes()));
      Swarm.Peer peer = swarm.addPeer(FaultPlan.peerName(i), files);
      if (!options.events().isEmpty()) {
        peer.options().setProtocol(2); // deletions and conflicts are v2 semantics
      }
      workload
          .folder(i)
          .forEach((name, version) -> setMtime(peer.folder().resolve(name), version.mtime()));
    }
  }

  /** The tracker behind its proxy, and a proxy for each peer whose port the peer advertises. */
  private void wireProxies() throws Exception {
    if (options.externalPeers() > 0 || options.trackerCommand() != null) {
      // beside the root, which must hold nothing but the peers' folders
      externalLogs = Files.createTempDirectory("p2psync-external-logs-");
    }
    if (options.trackers() == 1) {
      int trackerPort;
      if (options.trackerCommand() != null) {
        externalTracker =
            new ExternalTracker(
                command(options.trackerCommand()),
                toxiproxy.serverHost(),
                null,
                options.externalEnv(),
                externalLogs.resolve("tracker.log"),
                Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
        externalTracker.start();
        trackerPort = externalTracker.port();
      } else {
        // Fixed from the start, so that a dashboard left open follows the tracker through
        // restarts.
        trackerPort = await(swarm.setTrackerHttpPort(options.httpPort()).startTracker(0));
      }
      trackerProxy = toxiproxy.createProxy(proxyPrefix + "tracker", trackerPort);
      ToxiproxyBackend.Endpoint tracker = toxiproxy.reach(trackerProxy);
      swarm.useTracker(tracker.host(), tracker.port());
      swarm.peers().forEach(p -> trackerFor.add(tracker));
    } else {
      wireCluster();
    }
    List<Swarm.Peer> peers = swarm.peers();
    for (int i = 0; i < peers.size(); i++) {
      Swarm.Peer peer = peers.get(i);
      Proxy proxy = toxiproxy.createProxy(proxyPrefix + peer.name(), NOT_LISTENING_YET);
      peerProxies.add(proxy);
      peer.options().setAdvertisedPort(toxiproxy.reach(proxy).port());
      if (isExternal(i)) {
        wireExternalPeer(i, peer, toxiproxy.reach(proxy).port());
      }
    }
  }

  private boolean isExternal(int index) {
    return index >= options.peers() - options.externalPeers();
  }

  /** The command's words, a relative script path found from where we run. */
  private static List<String> command(String line) {
    return ExternalProgram.anchored(ExternalProgram.split(line), Path.of("").toAbsolutePath());
  }

  /**
   * An external peer reaches its tracker through a {@link PortRelay}, which makes it advertise its
   * proxy and tells the proxy where the peer listens, whenever that changes (after a restart).
   */
  private void wireExternalPeer(int index, Swarm.Peer peer, int advertised) throws Exception {
    Proxy proxy = peerProxies.get(index);
    AtomicInteger listening = new AtomicInteger(-1);
    ToxiproxyBackend.Endpoint tracker = trackerFor.get(index);
    PortRelay relay =
        new PortRelay(
            vertx,
            tracker.host(),
            tracker.port(),
            advertised,
            port -> {
              if (listening.getAndSet(port) != port) {
                // the Toxiproxy client blocks: never on the relay's event loop
                vertx
                    .executeBlocking(
                        () -> {
                          proxy.setUpstream(toxiproxy.upstream(port));
                          return null;
                        })
                    .onFailure(
                        e -> faultErrors.add(peer.name() + ": its proxy lost the port: " + e));
              }
            });
    relays.add(relay);
    int relayPort = await(relay.listen(toxiproxy.serverHost()));
    externals.put(
        index,
        new ExternalPeer(
            command(options.peerCommand()),
            toxiproxy.serverHost(),
            relayPort,
            peer.folder(),
            options.externalEnv(),
            externalLogs.resolve(peer.name() + ".log")));
  }

  /**
   * Tracker nodes behind proxies; peer i uses node i mod N and fails over to the next ones in turn.
   */
  private void wireCluster() throws Exception {
    int count = options.trackers();
    cluster = new LoopbackCluster(options.sync());
    List<ToxiproxyBackend.Endpoint> endpoints = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      LoopbackCluster.Node node = cluster.start();
      nodes.add(node);
      Proxy proxy = toxiproxy.createProxy(proxyPrefix + "tracker-" + (k + 1), node.port());
      nodeProxies.add(proxy);
      endpoints.add(toxiproxy.reach(proxy));
    }
    trackerProxy = nodeProxies.get(0);
    List<Swarm.Peer> peers = swarm.peers();
    for (int i = 0; i < peers.size(); i++) {
      ToxiproxyBackend.Endpoint main = endpoints.get(i % count);
      swarm.useTracker(peers.get(i), main.host(), main.port());
      trackerFor.add(main);
      List<String> others = new ArrayList<>();
      for (int k = 1; k < count; k++) {
        ToxiproxyBackend.Endpoint other = endpoints.get((i + k) % count);
        others.add(other.host() + ":" + other.port());
      }
      peers.get(i).options().setTrackers(others);
    }
  }

  /**
   * A fresh node in place of node k (a dead node does not come back: a new member does), its proxy
   * re-pointed.
   */
  private void replaceNode(int k) throws Exception {
    LoopbackCluster.Node node = cluster.start();
    nodes.set(k, node);
    nodeProxies.get(k).setUpstream(toxiproxy.upstream(node.port()));
  }

  /**
   * Faults that start at once go on before any peer starts; the rest at their times, all on one
   * thread.
   */
  private void scheduleFaults(ScheduledExecutorService faults) {
    record Event(long millis, int order, Runnable action) {}
    List<Event> events = new ArrayList<>();
    for (FaultPlan.Window window : plan.windows()) {
      events.add(new Event(window.startMillis(), 0, () -> apply(window)));
      events.add(new Event(window.endMillis(), 2, () -> lift(window)));
    }
    for (int i = 0; i < options.peers(); i++) {
      if (!plan.joinsLate(i)) {
        int index = i;
        events.add(
            new Event(
                0, 1, guarded("starting " + FaultPlan.peerName(index), () -> startPeer(index))));
      }
    }
    for (EventPlan.Event event : this.events) {
      events.add(
          new Event(
              event.atMillis(),
              1,
              guarded("event " + event.describe(), () -> eventRunner.run(event))));
    }
    events.sort(Comparator.comparingLong(Event::millis).thenComparingInt(Event::order));
    events.forEach(e -> faults.schedule(e.action(), e.millis(), TimeUnit.MILLISECONDS));
  }

  private void apply(FaultPlan.Window window) {
    guarded(
            "applying " + describe(window),
            () -> {
              String toxic = toxicName(window);
              switch (window.fault()) {
                case LATENCY ->
                    proxyOf(window)
                        .toxics()
                        .latency(toxic, ToxicDirection.DOWNSTREAM, window.level())
                        .setJitter(window.level() / 2);
                case BANDWIDTH ->
                    proxyOf(window)
                        .toxics()
                        .bandwidth(toxic, ToxicDirection.DOWNSTREAM, window.level());
                case DROP ->
                    proxyOf(window)
                        .toxics()
                        .limitData(toxic, ToxicDirection.DOWNSTREAM, window.level());
                case RESET ->
                    proxyOf(window)
                        .toxics()
                        .resetPeer(toxic, ToxicDirection.DOWNSTREAM, window.level());
                case STALL -> proxyOf(window).toxics().timeout(toxic, ToxicDirection.DOWNSTREAM, 0);
                case CUT -> trackerProxy.disable();
                case TRACKER_RESTART -> {
                  if (externalTracker != null) {
                    externalTracker.stop();
                  } else if (cluster == null) {
                    await(swarm.stopTracker());
                  } else {
                    cluster.stop(nodes.get(0));
                  }
                }
                case TRACKER_CRASH -> cluster.kill(nodes.get(FaultPlan.nodeIndex(window.peer())));
                case PARTITION -> cluster.partition(nodes.subList(0, (int) window.level()));
                case CRASH -> stopPeer(window.peer());
                case CHURN -> {
                  if (plan.leaves(window.peer())) {
                    stopPeer(window.peer());
                  } // a late joiner is simply not started yet
                }
              }
            })
        .run();
    active.add(window);
  }

  private void lift(FaultPlan.Window window) {
    active.remove(window);
    guarded(
            "lifting " + describe(window),
            () -> {
              switch (window.fault()) {
                case LATENCY, BANDWIDTH, DROP, RESET, STALL ->
                    proxyOf(window).toxics().get(toxicName(window)).remove();
                case CUT -> trackerProxy.enable();
                case TRACKER_RESTART -> {
                  if (externalTracker != null) {
                    externalTracker.start();
                  } else if (cluster == null) {
                    await(swarm.startTracker(swarm.trackerPort()));
                  } else {
                    replaceNode(0);
                  }
                }
                case TRACKER_CRASH -> replaceNode(FaultPlan.nodeIndex(window.peer()));
                case PARTITION -> cluster.heal();
                case CRASH -> startPeer(window.peer());
                case CHURN -> {
                  if (plan.joinsLate(window.peer())) {
                    startPeer(window.peer());
                  } // a leaver stays away
                }
              }
            })
        .run();
  }

  /**
   * Starts a peer; the first time, its proxy learns the port, which the peer then keeps across
   * restarts.
   */
  private void startPeer(int index) throws Exception {
    ExternalPeer external = externals.get(index);
    if (external != null) {
      external.start(); // its relay tells the proxy its port
      return;
    }
    Swarm.Peer peer = swarm.peers().get(index);
    await(swarm.startPeer(peer));
    if (peer.options().getPort() == 0) {
      int port = peer.verticle().actualPort();
      peerProxies.get(index).setUpstream(toxiproxy.upstream(port));
      peer.options().setPort(port);
    }
  }

  private void stopPeer(int index) {
    ExternalPeer external = externals.get(index);
    if (external != null) {
      external.stop();
    } else {
      await(swarm.stopPeer(swarm.peers().get(index)));
    }
  }

  /** Whether a peer that should be running still is: our deployment, or their process. */
  private boolean isAlive(int index) {
    ExternalPeer external = externals.get(index);
    return external != null ? external.isAlive() : swarm.isAlive(swarm.peers().get(index));
  }

  private Proxy proxyOf(FaultPlan.Window window) {
    return window.peer() == FaultPlan.TRACKER ? trackerProxy : peerProxies.get(window.peer());
  }

  private static String toxicName(FaultPlan.Window window) {
    return window.fault().cliName() + "-" + window.id();
  }

  private static String describe(FaultPlan.Window window) {
    return window.fault() + " on " + window.target();
  }

  /**
   * A step of the fault thread: what fails is recorded (and fails the run), the schedule goes on.
   */
  private Runnable guarded(String what, Step step) {
    return () -> {
      try {
        step.run();
      } catch (Exception e) {
        faultErrors.add(what + " failed: " + e);
      }
    };
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private void sample() {
    try {
      long now = elapsedMillis();
      int converged = 0;
      int expected = 0;
      List<Swarm.Peer> peers = swarm.peers();
      for (ExternalPeer external : externals.values()) {
        external.restartIfExited();
      }
      for (int i = 0; i < peers.size(); i++) {
        boolean done = checker.sample(peers.get(i).folder(), isExternal(i));
        if (!plan.leaves(i)) {
          expected++;
          converged += done ? 1 : 0;
        }
      }
      if (eventRunner != null
          && !checker.sameAtLastSample(
              IntStream.range(0, peers.size())
                  .filter(i -> !plan.leaves(i))
                  .mapToObj(i -> peers.get(i).folder())
                  .toList())) {
        converged = 0; // with events there is no expected end but agreement: all or none
      }
      Sample sample =
          new Sample(
              now,
              converged,
              expected,
              peers.stream().mapToLong(Swarm.Peer::downloadsCompleted).sum(),
              peers.stream().mapToLong(Swarm.Peer::downloadsFailed).sum(),
              peers.stream().mapToLong(Swarm.Peer::bytesDownloaded).sum(),
              active.stream()
                  .sorted(Comparator.comparingInt(FaultPlan.Window::id))
                  .map(Simulation::describe)
                  .toList());
      timeline.add(sample);
      listener.onSample(sample);
      if (converged == expected) {
        if (firstConvergedMillis < 0) {
          firstConvergedMillis = now;
        }
        long faultsOver = faultsOverMillis;
        // Only a sample begun after the faults ended proves convergence without them; one begun
        // before (the faults ending while it read the folders) would count a negative time.
        if (faultsOver >= 0 && now >= faultsOver) {
          convergedAfterFaults.complete(now - faultsOver);
        }
      }
    } catch (IOException | RuntimeException e) {
      faultErrors.add("sampling failed: " + e);
    }
  }

  /**
   * Milliseconds from the end of the faults to convergence, or -1 when the peers did not converge
   * in time.
   */
  private long waitForConvergence() throws InterruptedException, ExecutionException {
    try {
      return convergedAfterFaults.get(options.convergeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return -1;
    }
  }

  /** The final folders, and that every peer meant to run still does. */
  private List<String> checkAtTheEnd() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Swarm.Peer> peers = swarm.peers();
    List<Path> expected =
        IntStream.range(0, peers.size())
            .filter(i -> !plan.leaves(i))
            .mapToObj(i -> peers.get(i).folder())
            .toList();
    problems.addAll(checker.finalCheck(expected, peers.stream().map(Swarm.Peer::folder).toList()));
    IntStream.range(0, peers.size())
        .filter(i -> !plan.leaves(i) && !isAlive(i))
        .forEach(i -> problems.add(FaultPlan.peerName(i) + " is not running"));
    return problems;
  }

  private SimulationReport report(long convergedAfter, List<String> finalProblems) {
    List<String> violations = new ArrayList<>(checker.violations());
    finalProblems.stream().filter(p -> !violations.contains(p)).forEach(violations::add);
    violations.addAll(faultErrors);
    boolean converged = convergedAfter >= 0 && violations.isEmpty();
    String reason =
        converged
            ? null
            : convergedAfter < 0
                ? "not converged within "
                    + options.convergeTimeout().toMillis()
                    + " ms after the faults stopped"
                    + (violations.isEmpty()
                        ? ""
                        : ": "
                            + String.join(
                                "; ", violations.subList(0, Math.min(5, violations.size()))))
                : "invariants broken: "
                    + String.join("; ", violations.subList(0, Math.min(5, violations.size())));
    List<Swarm.Peer> peers = swarm.peers();
    List<SimulationReport.PeerSummary> summaries =
        IntStream.range(0, peers.size())
            .mapToObj(
                i -> {
                  Swarm.Peer peer = peers.get(i);
                  String role =
                      plan.leaves(i) ? "leaves" : plan.joinsLate(i) ? "joins late" : "steady";
                  ExternalPeer external = externals.get(i);
                  return new SimulationReport.PeerSummary(
                      peer.name(),
                      role,
                      external == null
                          ? "p2psync"
                          : "external: "
                              + String.join(" ", external.argv())
                              + " (output in "
                              + externalLogs.resolve(peer.name() + ".log")
                              + ", kept unless a temporary run converged"
                              + "; exited on its own and restarted "
                              + external.exits()
                              + " times; transfers not counted)",
                      peer.downloadsCompleted(),
                      peer.downloadsFailed(),
                      peer.bytesDownloaded(),
                      isAlive(i));
                })
            .toList();
    return new SimulationReport(
        options.seed(),
        options.peers(),
        options.trackers(),
        options.filesPerPeer(),
        options.maxFileSize(),
        (options.faults().isEmpty()
                ? "none"
                : String.join(",", options.faults().stream().map(Fault::cliName).toList()))
            + (options.events().isEmpty()
                ? ""
                : " + events "
                    + String.join(
                        ",", options.events().stream().map(WorkloadEvent::cliName).toList())),
        options.duration().toMillis(),
        toxiproxy.description(),
        options.sync().toJson(),
        converged,
        reason,
        firstConvergedMillis,
        convergedAfter,
        elapsedMillis(),
        workload.distinctNames(),
        workload.winnerBytes(),
        summaries.stream().mapToLong(SimulationReport.PeerSummary::bytes).sum(),
        summaries.stream().mapToLong(SimulationReport.PeerSummary::completed).sum(),
        summaries.stream().mapToLong(SimulationReport.PeerSummary::failed).sum(),
        summaries,
        plan.windows(),
        List.copyOf(timeline),
        violations,
        finalTrackerStatus());
  }

  private void shutDown(Vertx vertx) {
    externals.values().forEach(ExternalPeer::stop);
    if (externalTracker != null) {
      externalTracker.stop();
    }
    relays.forEach(
        relay -> {
          try {
            Blocking.await(relay.close(), Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
          } catch (RuntimeException e) {
            // closed with Vert.x below all the same
          }
        });
    try {
      if (swarm != null) {
        swarm
            .stopAll()
            .toCompletionStage()
            .toCompletableFuture()
            .get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // the Vert.x close below undeploys whatever is left
    }
    if (cluster != null) {
      try {
        cluster.close();
      } catch (RuntimeException e) {
        // a node that will not leave politely is gone with the process all the same
      }
    }
    if (toxiproxy != null) {
      toxiproxy.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /**
   * The tracker's {@code /api/status} at the end (a cluster's first live node: every node holds the
   * whole directory), its peers labelled with their names; null when no tracker answers.
   */
  private JsonObject finalTrackerStatus() {
    if (externalTracker != null) {
      return null; // a seed tracker has no status API
    }
    try {
      TrackerVerticle tracker =
          cluster == null ? swarm.tracker() : cluster.nodes().get(0).tracker();
      JsonObject status = TrackerWeb.toJson(await(tracker.status()));
      Map<Integer, String> names = new java.util.HashMap<>();
      for (Swarm.Peer peer : swarm.peers()) {
        int advertised = peer.options().getAdvertisedPort();
        if (advertised == 0 && peer.verticle() != null) {
          advertised = peer.verticle().actualPort();
        }
        names.put(advertised, peer.name());
      }
      for (Object o : status.getJsonArray("peers")) {
        JsonObject peer = (JsonObject) o;
        String address = peer.getString("address");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        peer.put("label", names.getOrDefault(port, address));
      }
      return status;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "no final tracker status for the report", e);
      return null;
    }
  }

  private long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void setMtime(Path file, long seconds) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(seconds, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
