package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.FileLocks;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.engine.ProbeCache;
import dev.appliance.runtime.net.PortAllocator;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Instance lifecycle: create, start, wait until healthy, stop, remove, list, logs. Each running
 * instance is owned by its {@link Supervisor} process; this class runs in the CLI and talks to
 * supervisors through their status files and signals, so every command works the same whether the
 * instance was started in the foreground, detached, or by a CLI that has since been killed.
 *
 * <p>A facade: each step is a small class of its own ({@link InstanceCreation}, {@link
 * SupervisorLauncher}, {@link HealthWait}, {@link InstanceStopper}, {@link AttachedVolumes}, {@link
 * ConsoleLog}, {@link InstanceDirs}).
 */
public final class InstanceManager {
  private final InstanceDirs instances;
  private final AttachedVolumes attached;
  private final InstanceCreation creation;
  private final DataVersions dataVersions;
  private final InstanceUpgrade upgrades;

  public InstanceManager(ApplianceDirs dirs) {
    VolumeStore volumes = new VolumeStore(dirs);
    this.instances = new InstanceDirs(dirs);
    this.attached = new AttachedVolumes(volumes, instances);
    this.dataVersions = new DataVersions(volumes);
    this.creation =
        new InstanceCreation(
            instances, volumes, attached, dataVersions, ProbeCache.inState(dirs.state()));
    this.upgrades = new InstanceUpgrade(attached, dataVersions, new VolumeSnapshots(volumes));
  }

  /**
   * {@code appliance upgrade}: stops the instance, snapshots its volumes, boots {@code reference}
   * with the same name, ports, parameters, secrets and volumes and waits until healthy; on failure
   * or interrupt (the calling thread interrupted) restores the volumes and boots the previous image
   * again.
   *
   * @param reference null: the instance's image reference again (re-resolved by {@code images})
   * @param timeout null: the new image's health-check timeout
   * @throws dev.appliance.common.ApplianceException after a rollback, saying why and that it rolled
   *     back
   */
  public InstanceInfo upgrade(
      String name,
      String reference,
      BootImageResolver images,
      boolean noSandbox,
      Duration timeout,
      Consumer<String> progress) {
    InstanceDir dir = instances.existing(name);
    try (FileLocks.Held held = ImageChangeLock.acquire(dir)) {
      return upgrades.upgrade(
          dir,
          reference != null ? reference : dir.spec().image(),
          images,
          noSandbox,
          timeout,
          progress);
    }
  }

  /**
   * {@code appliance rollback}: boots the image the instance ran before its last upgrade (the
   * current one becomes the previous one).
   *
   * @param restoreVolumes copy the snapshots taken before the upgrade back over the volumes first
   */
  public InstanceInfo rollback(
      String name, boolean restoreVolumes, Duration timeout, Consumer<String> progress) {
    InstanceDir dir = instances.existing(name);
    try (FileLocks.Held held = ImageChangeLock.acquire(dir)) {
      return upgrades.rollback(dir, restoreVolumes, timeout, progress);
    }
  }

  /** The images the instance ran, oldest first, with the outcome of each change. */
  public List<ImageChange> history(String name) {
    return ImageHistory.read(instances.existing(name));
  }

  /** Whether an instance of that name exists (for commands that take an instance or an image). */
  public boolean exists(String name) {
    return instances.exists(name);
  }

  /**
   * {@code appliance run}: creates the instance, starts it, waits until healthy. On failure the
   * instance is stopped (kept, for {@code logs}) and the error carries the console's last lines.
   *
   * @param foreground the instance stops when this process ends
   */
  public InstanceInfo run(
      RunRequest request,
      BootImageResolver images,
      boolean foreground,
      Duration timeout,
      RunListener listener) {
    OptionalLong owner =
        foreground ? OptionalLong.of(ProcessHandle.current().pid()) : OptionalLong.empty();
    // The supervisor's JVM starts while this one resolves the image: it waits
    // for instance.json, so the engine starts as soon as the instance is ready.
    String name =
        creation.create(
            request, images, listener::progress, dir -> SupervisorLauncher.launch(dir, owner));
    listener.created(name);
    return awaitUpOrStop(name, timeout, listener::progress);
  }

  /**
   * {@code appliance start}: starts a created or stopped instance, detached, and waits until
   * healthy. On failure the instance is stopped again, as after {@code run}.
   *
   * @param timeout null: the image's health-check timeout
   */
  public InstanceInfo startAndAwait(String name, Duration timeout, Consumer<String> progress) {
    start(name, OptionalLong.empty());
    return awaitUpOrStop(name, timeout, progress);
  }

  private InstanceInfo awaitUpOrStop(String name, Duration timeout, Consumer<String> progress) {
    try {
      return awaitUp(
          name,
          timeout != null ? timeout : HealthWait.defaultTimeout(instances.existing(name).spec()),
          progress);
    } catch (RuntimeException e) {
      stop(name, Duration.ofSeconds(10));
      throw e;
    }
  }

  /** What {@code run} reports while it works. */
  public interface RunListener {
    /** One line of progress: engine choice, fallbacks, health. */
    void progress(String line);

    /** The instance exists now (a Ctrl-C handler can stop it from here on). */
    default void created(String name) {}
  }

  /** Creates a stopped instance and returns its name. Ports are checked here, before any boot. */
  public String create(RunRequest request, BootImageResolver images, Consumer<String> progress) {
    return creation.create(request, images, progress, dir -> {});
  }

  /**
   * Starts a created or stopped instance: its disk keeps what the guest wrote.
   *
   * @param ownerPid the instance stops when this process ends (foreground runs)
   */
  public void start(String name, OptionalLong ownerPid) {
    InstanceDir dir = instances.existing(name);
    InstanceStatus status = dir.status();
    if (InstanceStopper.running(dir)) {
      throw new InvalidInputException("instance " + name + " is already " + status.state().id());
    }
    InstanceProcesses.killAll(dir.path()); // leftovers of a supervisor that was killed
    InstanceSpec spec = dir.spec();
    for (PublishedPort p : spec.ports()) {
      PortAllocator.checkFree(p.address(), p.hostPort(), p.protocol());
    }
    for (InstanceSpec.VolumeMount v : spec.volumes()) {
      attached.ensureFree(v.volume(), name);
    }
    Integer from =
        dataVersions.pendingUpgrade(
            name,
            spec.image(),
            spec.data(),
            spec.volumes().stream().map(InstanceSpec.VolumeMount::volume).toList());
    if (!java.util.Objects.equals(from, spec.dataUpgradeFrom())) {
      dir.writeSpec(spec.withDataUpgradeFrom(from));
    }
    SupervisorLauncher.launch(dir, ownerPid);
  }

  /**
   * Waits until the instance's health check passes, reporting engine choices and fallbacks as they
   * happen.
   *
   * @throws dev.appliance.common.ApplianceException when it fails, stops, or is not healthy in
   *     time; the message ends with the console's last lines
   */
  public InstanceInfo awaitUp(String name, Duration timeout, Consumer<String> progress) {
    InstanceDir dir = instances.existing(name);
    InstanceInfo info = HealthWait.awaitUp(dir, timeout, progress);
    // Healthy: the upgrade hook, if one was due, has run on the volumes.
    InstanceSpec spec = dir.spec();
    dataVersions.recordHealthy(spec);
    if (spec.dataUpgradeFrom() != null) {
      dir.writeSpec(spec.withDataUpgradeFrom(null));
    }
    return info;
  }

  /** Blocks until the instance's supervisor has ended (the guest is down). */
  public InstanceInfo awaitExit(String name) {
    InstanceDir dir = instances.existing(name);
    ProcessHandle.of(dir.status().supervisorPid()).ifPresent(p -> p.onExit().join());
    return InstanceInfos.read(dir);
  }

  /**
   * Asks the guest to power off; after {@code timeout} kills the engine and every helper. Returns
   * when no process of the instance is left.
   */
  public void stop(String name, Duration timeout) {
    InstanceStopper.stop(instances.existing(name), timeout);
  }

  /**
   * Deletes a stopped instance (a running one only with {@code force}). Volumes stay: see {@link
   * #pruneVolumes()}.
   */
  public void remove(String name, boolean force) {
    InstanceDir dir = instances.existing(name);
    boolean running = InstanceStopper.running(dir);
    if (running && !force) {
      throw new InvalidInputException(
          "instance "
              + name
              + " is "
              + dir.status().state().id()
              + ": stop it first (appliance stop "
              + name
              + ") or use rm -f");
    }
    if (running) {
      stop(name, Duration.ofSeconds(10));
    }
    InstanceProcesses.killAll(dir.path());
    FileTrees.delete(dir.path());
  }

  public List<InstanceInfo> list() {
    return instances.all().stream().map(InstanceInfos::read).toList();
  }

  /**
   * Every named volume, with its size on disk and the instances (running or not) that attach it.
   */
  public List<VolumeInfo> volumes() {
    return attached.list();
  }

  /**
   * Deletes named volumes and what they hold. Refuses, deleting none, when a name is unknown or an
   * instance (running or stopped) attaches the volume: its spec would point at a disk that is gone.
   */
  public List<VolumeInfo> removeVolumes(List<String> names) {
    return attached.remove(names);
  }

  /** Deletes every volume no instance attaches and returns what it deleted. */
  public List<VolumeInfo> pruneVolumes() {
    return attached.prune();
  }

  public InstanceInfo info(String name) {
    return InstanceInfos.read(instances.existing(name));
  }

  /**
   * A secret {@code run} generated for the instance because the image marks it {@code generate} and
   * none was given (e.g. the IDS appliance's ids_token).
   */
  public byte[] generatedSecret(String name, String secret) {
    return new GeneratedSecrets(instances.existing(name).path()).read(name, secret);
  }

  /**
   * Copies the console log to {@code out}; with {@code follow}, keeps copying until the instance
   * stops.
   */
  public void logs(String name, boolean follow, OutputStream out) throws IOException {
    ConsoleLog.copy(instances.existing(name), follow, out);
  }

  /** The instances (running or not) whose spec attaches volume {@code volume}, by name. */
  public List<InstanceInfo> instancesAttaching(String volume) {
    return attached.instancesAttaching(volume);
  }

  /**
   * Makes the disk staged in {@code staged} (from {@link VolumeStore#stage}) the volume {@code
   * name}. Refuses when the volume exists, unless {@code replace}; even then while an instance runs
   * with it, or when a stopped instance attaches it by another filesystem UUID (its guest would not
   * find the restored disk).
   */
  public void installVolume(String name, Path staged, String uuid, boolean replace) {
    attached.install(name, staged, uuid, replace);
  }

  /** Whether the instance's guest is up or on its way up or down: its volumes are in use. */
  public static boolean isActive(InstanceInfo instance) {
    return AttachedVolumes.isActive(instance);
  }
}
