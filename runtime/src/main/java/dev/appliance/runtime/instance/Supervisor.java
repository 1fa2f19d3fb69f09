package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.capture.CaptureFeed;
import dev.appliance.runtime.capture.CaptureSource;
import dev.appliance.runtime.engine.BootSpec;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.engine.CapturePort;
import dev.appliance.runtime.engine.Engine;
import dev.appliance.runtime.engine.EngineKind;
import dev.appliance.runtime.engine.EngineRun;
import dev.appliance.runtime.engine.EngineSelector;
import dev.appliance.runtime.engine.KvmCheck;
import dev.appliance.runtime.engine.ProbeCache;
import dev.appliance.runtime.engine.ProcessStarter;
import dev.appliance.runtime.engine.Sandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * The one process per running instance that owns its engine: a small JVM started in its own
 * session, so it survives the CLI (detached runs) and a Ctrl-C of the terminal. It picks the engine
 * (falling back when one fails to start), starts it and its network helper from its main thread
 * (they die with it: see {@link ProcessStarter}), copies the console to console.log, runs the
 * health check and keeps status.json current. SIGTERM ({@code appliance stop}) asks the guest to
 * power off and forces it after a timeout. With {@code --owner PID} (a foreground run) it also
 * stops the instance when that process ends, however it ends.
 */
public final class Supervisor {
  /**
   * How long a guest gets to power off before it is killed, unless {@code appliance stop} asked for
   * another grace (its {@code --time}).
   */
  static final Duration STOP_GRACE = Duration.ofSeconds(30);

  /** An image without a health check counts as up once its engine ran this long. */
  private static final Duration NO_CHECK_SETTLE = Duration.ofSeconds(3);

  /**
   * Time between health probes until the first passes: at most this late does {@code run} learn
   * that the service answers. A failing probe costs the guest one refused connection (or one quick
   * error reply), so polling often costs it little; 250 ms added 0.12 s on average to every run.
   */
  static final long PROBE_INTERVAL_MS = 100;

  private final InstanceDir dir;
  private InstanceSpec spec;
  private final EngineSelector selector;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicReference<StopRequest> stopRequest = new AtomicReference<>();
  private final AtomicReference<EngineRun> current = new AtomicReference<>();
  private InstanceStatus status;

  Supervisor(InstanceDir dir, EngineSelector selector) {
    this.dir = dir;
    this.selector = selector;
    this.status = dir.status(); // read again once instance.json exists
  }

  /** {@code Supervisor INSTANCE_DIR [--owner PID]} */
  public static void main(String[] args) {
    Path instance = Path.of(args[0]).toAbsolutePath();
    Supervisor supervisor =
        new Supervisor(
            new InstanceDir(instance),
            new EngineSelector(() -> KvmCheck.problem(instance.getParent().getParent())));
    long creator = 0;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--owner" -> supervisor.watchOwner(Long.parseLong(args[i + 1]));
        case "--creator" -> creator = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    // Jackson's reader of instance.json and writer of status.json (50 ms at their first use) are
    // built while `run` still writes the spec. Nothing is written before the spec exists: should
    // `run` refuse the image, the supervisor leaves no trace (HostileMetadataTest).
    InstanceDir.prepareJson();
    if (!supervisor.awaitSpec(creator)) {
      System.exit(0);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(supervisor::onTerminate, "stop"));
    supervisor.run();
    System.exit(0);
  }

  private void watchOwner(long pid) {
    Optional<ProcessHandle> owner = ProcessHandle.of(pid);
    if (owner.isEmpty()) {
      requestStop("the foreground `appliance run` ended");
    } else {
      owner.get().onExit().thenRun(() -> requestStop("the foreground `appliance run` ended"));
    }
  }

  /** SIGTERM or SIGINT: stop the guest, wait for the main loop to record it. */
  private void onTerminate() {
    Duration grace = dir.stopGrace().orElse(STOP_GRACE);
    requestStop("stop requested", grace);
    try {
      finished.await(grace.plus(InstanceStopper.RECORD_MARGIN).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits while {@code appliance run} is still creating the instance (the supervisor is launched
   * early to hide its JVM start-up). False when the creator gave up or died first: nothing to
   * supervise.
   */
  private boolean awaitSpec(long creator) {
    while (!Files.exists(dir.specFile())) {
      boolean creatorAlive =
          creator > 0 && ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false);
      if (!creatorAlive || !Files.isDirectory(dir.path()) || stopRequest.get() != null) {
        if (Files.exists(dir.specFile())) {
          return true;
        }
        if (!creatorAlive) {
          FileTrees.delete(dir.path()); // the creating `run` died: free the name
        }
        return false;
      }
      sleep(20);
    }
    return true;
  }

  void run() {
    spec = dir.spec();
    status = dir.status();
    try {
      dir.clearStopGrace(); // a stale request's, from before this supervisor
      change(
          s ->
              s.withSupervisor(ProcessHandle.current().pid())
                  .with(InstanceStatus.State.STARTING, null));
      boot();
    } catch (RuntimeException e) {
      change(s -> s.with(InstanceStatus.State.FAILED, e.getMessage()));
      e.printStackTrace();
    } finally {
      InstanceProcesses.killAll(dir.path());
      finished.countDown();
    }
  }

  private void boot() {
    Optional<EngineKind.DiskFormat> existing =
        Arrays.stream(EngineKind.DiskFormat.values())
            .filter(f -> Files.exists(dir.path().resolve(f.fileName())))
            .findFirst();
    EngineSelector.Plan plan = selector.plan(spec.engine(), existing);
    plan.skipped().forEach(s -> event("not using " + s));
    BootSpec boot = bootSpec();
    Sandbox sandbox = sandbox();
    List<EngineSelector.Candidate> candidates = plan.candidates();
    for (int i = 0; i < candidates.size(); i++) {
      Engine engine = candidates.get(i).engine();
      String next =
          i + 1 < candidates.size()
              ? "; falling back to " + candidates.get(i + 1).engine().kind()
              : "";
      if (stopRequest.get() != null) {
        break;
      }
      Optional<String> unavailable = engine.unavailable(boot);
      if (unavailable.isPresent()) {
        event(engine.kind() + " cannot run: " + unavailable.get() + next);
        continue;
      }
      event("engine " + engine.kind() + ": " + candidates.get(i).reason());
      Path overlay = boot.overlay(engine.kind().diskFormat());
      boolean freshDisk = !Files.exists(overlay);
      Optional<String> failure = runOnce(engine, boot, sandbox);
      if (failure.isEmpty()) {
        return;
      }
      if (next.isEmpty() || stopRequest.get() != null) {
        change(
            s -> s.with(InstanceStatus.State.FAILED, engine.kind() + " failed: " + failure.get()));
        return;
      }
      event(engine.kind() + " failed to start: " + failure.get() + next);
      if (freshDisk) {
        try {
          Files.deleteIfExists(overlay);
        } catch (IOException e) {
          event("could not remove " + overlay + ": " + e.getMessage());
        }
      }
    }
    if (currentState().active()) {
      change(
          s ->
              s.with(
                  stopRequest.get() != null
                      ? InstanceStatus.State.STOPPED
                      : InstanceStatus.State.FAILED,
                  stopRequest.get() != null
                      ? stopRequest.get().reason()
                      : "no engine could start the appliance"));
    }
  }

  /**
   * Boots once on {@code engine} and supervises until the engine exits.
   *
   * @return why the engine failed to start (exited or reported a fatal error before the appliance
   *     came up), or empty when it ran
   */
  private Optional<String> runOnce(Engine engine, BootSpec boot, Sandbox sandbox) {
    change(s -> s.withEngine(engine.kind().id()).with(InstanceStatus.State.STARTING, null));
    EngineRun run;
    ProcessStarter starter = new ProcessStarter(dir.path(), sandbox);
    List<CapturePort> capture = new ArrayList<>();
    try {
      appendConsole("\n=== " + InstanceStatus.Clock.now() + " boot on " + engine.kind() + " ===\n");
      for (BootSpec.Nic nic : boot.nics()) {
        capture.add(CapturePort.open(nic.name(), starter, this::event));
      }
      run = engine.start(boot, starter);
    } catch (IOException | RuntimeException e) {
      capture.forEach(CapturePort::close);
      return Optional.of(e.getMessage());
    }
    current.set(run);
    AtomicReference<String> fatal = new AtomicReference<>();
    Thread pump = new Thread(() -> pumpConsole(engine, run, fatal), "console");
    pump.setDaemon(true);
    pump.start();
    if (stopRequest.get() != null) {
      shutDown(run);
    }
    Optional<HealthProbe> probe = HealthProbe.of(spec.health(), spec.ports());
    long started = System.nanoTime();
    boolean up = false;
    String waiting = probe.map(p -> "waiting for " + p.describe()).orElse(null);
    change(s -> s.with(InstanceStatus.State.RUNNING, waiting));
    String finding = null;
    while (run.main().isAlive()) {
      if (!up && stopRequest.get() == null) {
        HealthProbe.Result result =
            probe
                .map(HealthProbe::check)
                .orElse(
                    new HealthProbe.Result(
                        System.nanoTime() - started > NO_CHECK_SETTLE.toNanos(), null));
        up = result.healthy();
        if (!up && result.finding() != null && !result.finding().equals(finding)) {
          // What the last probe saw is what a timeout reports.
          finding = result.finding();
          String message = waiting + ": " + finding;
          change(
              s ->
                  s.state() == InstanceStatus.State.RUNNING
                      ? s.with(InstanceStatus.State.RUNNING, message)
                      : s);
        }
        if (up) {
          // The event first: whoever sees the healthy state must find the event already logged.
          event(
              "healthy after "
                  + Duration.ofNanos(System.nanoTime() - started).toMillis() / 100 / 10.0
                  + " s on "
                  + engine.kind());
          change(s -> s.markHealthy());
          feedCapture(capture, starter);
        }
      }
      sleep(up ? 1000 : PROBE_INTERVAL_MS);
    }
    current.set(null);
    joinQuietly(pump);
    closeCapture(capture);
    run.kill(); // the engine's own leftovers and the network helper, before the state says it is
    // down
    for (Process helper : run.helpers()) {
      try {
        helper.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int exit = run.main().exitValue();
    if (fatal.get() != null) {
      return Optional.of(fatal.get());
    }
    if (stopRequest.get() != null) {
      change(s -> s.with(InstanceStatus.State.STOPPED, stopRequest.get().reason()));
      return Optional.empty();
    }
    if (!up) {
      return Optional.of(
          engine.kind()
              + " exited with status "
              + exit
              + " before the appliance was up"
              + " (see `appliance logs "
              + spec.name()
              + "`)");
    }
    change(
        s ->
            s.with(
                InstanceStatus.State.STOPPED,
                "the appliance powered off (engine exit status " + exit + ")"));
    return Optional.empty();
  }

  /** Starts feeding the first capture interface from {@code --capture-from}, once per boot. */
  private void feedCapture(List<CapturePort> ports, ProcessStarter starter) {
    if (spec.captureFrom() == null) {
      return;
    }
    Optional<CapturePort> target =
        spec.networks().stream()
            .filter(n -> n.role().equals(ApplianceMetadata.Network.CAPTURE))
            .findFirst()
            .flatMap(n -> ports.stream().filter(p -> p.name().equals(n.name())).findFirst());
    if (target.isEmpty()) {
      return;
    }
    try {
      new CaptureFeed(CaptureSource.parse(spec.captureFrom()), target.get(), starter, this::event)
          .start();
    } catch (RuntimeException e) {
      event("capture " + target.get().name() + ": not fed: " + e.getMessage());
    }
  }

  /** Closes the capture plugs and records what the guest tried to send out of them. */
  private void closeCapture(List<CapturePort> ports) {
    for (CapturePort p : ports) {
      p.close();
      event(
          "capture "
              + p.name()
              + ": the guest sent "
              + p.guestFrames()
              + " frames out of it (none delivered)");
    }
  }

  /** Copies the console to console.log; a fatal line (KVM error) kills the engine. */
  private void pumpConsole(Engine engine, EngineRun run, AtomicReference<String> fatal) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(run.main().getInputStream(), StandardCharsets.UTF_8));
        OutputStream log =
            Files.newOutputStream(
                dir.console(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (String line; (line = in.readLine()) != null; ) {
        log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        log.flush();
        Optional<String> error = engine.fatalError(line);
        if (error.isPresent() && fatal.compareAndSet(null, error.get())) {
          run.kill();
        }
      }
    } catch (IOException e) {
      // the engine closed its output: it is exiting
    }
  }

  void requestStop(String reason) {
    requestStop(reason, STOP_GRACE);
  }

  private void requestStop(String reason, Duration grace) {
    if (!stopRequest.compareAndSet(null, new StopRequest(reason, grace))) {
      return;
    }
    event(reason);
    if (currentState().active()) {
      change(s -> s.with(InstanceStatus.State.STOPPING, reason));
    }
    EngineRun run = current.get();
    if (run != null) {
      shutDown(run);
    }
  }

  /** Asks the guest to power off; kills the engine when it has not within the stop's grace. */
  private void shutDown(EngineRun run) {
    try {
      run.shutdown().send();
    } catch (Exception e) {
      event("guest did not take the power-off request (" + e.getMessage() + "): killing it");
      run.kill();
      return;
    }
    Thread timer =
        new Thread(
            () -> {
              try {
                Duration grace = stopRequest.get().grace();
                if (!run.main().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                  event("guest still running after " + grace.toSeconds() + " s: killing it");
                  run.kill();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stop-timer");
    timer.setDaemon(true);
    timer.start();
  }

  /**
   * The sandbox chosen when the instance was created. A host that can no longer provide it fails
   * the boot rather than running the engines unconfined.
   */
  private Sandbox sandbox() {
    if (spec.unconfined()) {
      event("engines run unconfined (no sandbox)");
      return Sandbox.NONE;
    }
    // instances/NAME in the state directory
    Bubblewrap.Support host =
        Bubblewrap.probe(ProbeCache.inState(dir.path().getParent().getParent()));
    return host.sandbox()
        .orElseThrow(
            () ->
                new ApplianceException(
                    "engines cannot be sandboxed on this host any"
                        + " more ("
                        + host.problem()
                        + "). Fix: "
                        + host.fix()));
  }

  private BootSpec bootSpec() {
    return new BootSpec(
        dir.path(),
        Path.of(spec.baseDisk()),
        spec.extraDisks().stream().map(Path::of).toList(),
        spec.memoryMiB(),
        spec.cpus(),
        spec.ports(),
        spec.bootCmdline(),
        new BootSpec.Kernels(
            path(spec.qemuKernel()), path(spec.qemuInitrd()), path(spec.umlKernel())),
        spec.allowHostLoopback(),
        IntStream.range(0, spec.networks().size())
            .mapToObj(
                i ->
                    new BootSpec.Nic(
                        spec.networks().get(i).name(),
                        ApplianceMetadata.Network.mac(i),
                        CapturePort.socket(dir.path(), spec.networks().get(i).name())))
            .toList());
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }

  private void event(String message) {
    System.err.println(InstanceStatus.Clock.now() + " " + message);
    change(s -> s.withEvent(message));
  }

  /** Status changes come from the main loop, the stop hook and the owner watcher: one at a time. */
  private synchronized void change(java.util.function.UnaryOperator<InstanceStatus> step) {
    status = step.apply(status);
    dir.writeStatus(status);
  }

  private synchronized InstanceStatus.State currentState() {
    return status.state();
  }

  private void appendConsole(String text) throws IOException {
    Files.writeString(
        dir.console(),
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Why the instance stops, and how long its guest gets to power off. */
  private record StopRequest(String reason, Duration grace) {}
}
