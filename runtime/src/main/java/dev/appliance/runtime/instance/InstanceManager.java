package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.engine.EngineSelector;
import dev.appliance.runtime.engine.ProbeCache;
import dev.appliance.runtime.engine.ProcessStarter;
import dev.appliance.runtime.net.PortAllocator;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Instance lifecycle: create, start, wait until healthy, stop, remove, list, logs. Each running
 * instance is owned by its {@link Supervisor} process; this class runs in the CLI and talks to
 * supervisors through their status files and signals, so every command works the same whether the
 * instance was started in the foreground, detached, or by a CLI that has since been killed.
 */
public final class InstanceManager {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  /**
   * Unix socket paths (sockaddr_un) hold 107 bytes; the longest we put in an instance dir adds ~25.
   */
  private static final int MAX_DIR_LENGTH = 80;

  private static final int TAIL_LINES = 25;

  private final ApplianceDirs dirs;
  private final VolumeStore volumes;

  public InstanceManager(ApplianceDirs dirs) {
    this.dirs = dirs;
    this.volumes = new VolumeStore(dirs);
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
    String name = create(request, images, listener::progress, dir -> launchSupervisor(dir, owner));
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
          name, timeout != null ? timeout : defaultTimeout(existing(name).spec()), progress);
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

  /** The image's health-check timeout, or five minutes. */
  private static Duration defaultTimeout(InstanceSpec spec) {
    return Duration.ofSeconds(
        spec.health() != null && spec.health().timeoutSeconds() > 0
            ? spec.health().timeoutSeconds()
            : 300);
  }

  /**
   * The checked capture source for the image's first capture interface, or null without one.
   *
   * @throws InvalidInputException when the image has no capture interface to feed
   */
  private static String captureFrom(RunRequest request, ApplianceMetadata meta) {
    if (request.captureFrom() == null) {
      return null;
    }
    if (meta.networks().stream()
        .noneMatch(n -> n.role().equals(ApplianceMetadata.Network.CAPTURE))) {
      throw new InvalidInputException(
          "--capture-from: the image "
              + meta.name()
              + " has no capture interface (a recipe declares one with networks: role capture)");
    }
    return request.captureFrom().toString();
  }

  /** Creates a stopped instance and returns its name. Ports are checked here, before any boot. */
  public String create(RunRequest request, BootImageResolver images, Consumer<String> progress) {
    return create(request, images, progress, dir -> {});
  }

  /**
   * @param reserved called once the instance's directory exists, before the image is resolved
   */
  private String create(
      RunRequest request,
      BootImageResolver images,
      Consumer<String> progress,
      Consumer<InstanceDir> reserved) {
    String engine = EngineSelector.validate(request.engine());
    if (request.name() != null) {
      validateName(request.name());
    }
    String name = request.name() != null ? request.name() : generatedName(request.image());
    InstanceDir dir = createDir(name);
    try {
      reserved.accept(dir);
      BootImage image = images.resolve(request.image(), progress);
      boolean unconfined =
          SandboxPolicy.unconfined(
              Bubblewrap.probe(ProbeCache.inState(dirs.state())),
              image,
              request.isolation().noSandbox(),
              progress);
      ApplianceMetadata meta = image.metadata();
      Map<String, String> params = effectiveParams(request, meta);
      long memory = request.memoryMiB() == null ? meta.memoryMiB() : request.memoryMiB();
      int cpus = request.cpus() == null ? meta.cpus() : request.cpus();
      List<PublishedPort> ports =
          PortAllocator.allocate(request.ports(), meta.health() == null ? 0 : meta.health().port());
      List<InstanceSpec.VolumeMount> mounts = new ArrayList<>();
      List<String> extraDisks = new ArrayList<>(List.of(dir.configDisk().toString()));
      // Until the spec names the volumes, `volume rm/prune` must not see them as unused.
      try (VolumeStore.Lock held = volumes.lock()) {
        for (VolumeMount v : request.volumes()) {
          ensureVolumeFree(v.name(), name);
          mounts.add(
              new InstanceSpec.VolumeMount(v.name(), v.guestPath(), volumes.ensure(v.name())));
          extraDisks.add(volumes.disk(v.name()).toString());
        }
        Map<String, byte[]> secrets =
            new GeneratedSecrets(dir.path())
                .completeAndKeep(meta, request.secrets(), new SecureRandom());
        secrets.keySet().stream()
            .filter(s -> !request.secrets().containsKey(s))
            .forEach(
                s ->
                    progress.accept(
                        "generated the secret "
                            + s
                            + "; `appliance secret "
                            + name
                            + " "
                            + s
                            + "` shows it"));
        ConfigDisk.write(dir.configDisk(), name, params, secrets, mounts);
        var k = image.kernels();
        if (!Files.exists(dir.statusFile())) {
          dir.writeStatus(
              InstanceStatus.created()); // else: written by the supervisor launched early
        }
        dir.writeSpec(
            new InstanceSpec(
                name,
                image.reference(),
                image.digest(),
                engine,
                memory,
                cpus,
                ports,
                mounts,
                meta.health(),
                ConfigDisk.announce(meta.kernelCmdline()),
                linkBaseDisk(dir, image.baseDisk()).toString(),
                str(k.qemuKernel()),
                str(k.qemuInitrd()),
                str(k.umlKernel()),
                extraDisks,
                InstanceStatus.Clock.now(),
                unconfined,
                request.isolation().allowHostLoopback(),
                meta.networks(),
                captureFrom(request, meta)));
      }
      return name;
    } catch (RuntimeException e) {
      InstanceProcesses.killAll(dir.path()); // a supervisor launched early
      FileTrees.delete(dir.path());
      throw e;
    }
  }

  /**
   * Starts a created or stopped instance: its disk keeps what the guest wrote.
   *
   * @param ownerPid the instance stops when this process ends (foreground runs)
   */
  public void start(String name, OptionalLong ownerPid) {
    InstanceDir dir = existing(name);
    InstanceStatus status = dir.status();
    if (status.state().active() && InstanceProcesses.isOurs(status.supervisorPid(), dir.path())) {
      throw new InvalidInputException("instance " + name + " is already " + status.state().id());
    }
    InstanceProcesses.killAll(dir.path()); // leftovers of a supervisor that was killed
    InstanceSpec spec = dir.spec();
    for (PublishedPort p : spec.ports()) {
      PortAllocator.checkFree(p.address(), p.hostPort(), p.protocol());
    }
    for (InstanceSpec.VolumeMount v : spec.volumes()) {
      ensureVolumeFree(v.volume(), name);
    }
    launchSupervisor(dir, ownerPid);
  }

  /**
   * This JVM's class path with every entry absolute: the supervisor runs in the instance directory,
   * where a relative entry (java -jar cli/target/appliance.jar) would point nowhere.
   */
  private static String absoluteClassPath() {
    return java.util.Arrays.stream(
            System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  /**
   * Starts the instance's supervisor in its own session. It waits for instance.json when the
   * instance is still being created (and gives up if this process dies first).
   */
  private void launchSupervisor(InstanceDir dir, OptionalLong ownerPid) {
    String name = dir.name();
    InstanceStatus status = dir.status();
    List<String> command = new ArrayList<>();
    Path setsid = Path.of("/usr/bin/setsid");
    if (Files.isExecutable(setsid)) {
      command.add(setsid.toString()); // own session: a terminal's Ctrl-C goes to the CLI only
    }
    String classPath = absoluteClassPath();
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData"));
    command.addAll(ClassDataArchive.jvmOptions(classPath));
    command.addAll(List.of("-cp", classPath, Supervisor.class.getName(), dir.path().toString()));
    command.addAll(List.of("--creator", Long.toString(ProcessHandle.current().pid())));
    ownerPid.ifPresent(pid -> command.addAll(List.of("--owner", Long.toString(pid))));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.path().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.supervisorLog().toFile()))
            .redirectErrorStream(true);
    pb.environment().put(ProcessStarter.MARKER, dir.path().toString());
    try {
      Process supervisor = pb.start();
      dir.writeStatus(
          status.withSupervisor(supervisor.pid()).with(InstanceStatus.State.STARTING, null));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot start the supervisor of " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the instance's health check passes, reporting engine choices and fallbacks as they
   * happen.
   *
   * @throws ApplianceException when it fails, stops, or is not healthy in time; the message ends
   *     with the console's last lines
   */
  public InstanceInfo awaitUp(String name, Duration timeout, Consumer<String> progress) {
    InstanceDir dir = existing(name);
    long deadline = System.nanoTime() + timeout.toNanos();
    int shown = dir.status().events().size();
    while (true) {
      InstanceStatus status = dir.status();
      List<String> events = status.events();
      for (int i = Math.min(shown, events.size()); i < events.size(); i++) {
        progress.accept(events.get(i));
      }
      shown = events.size();
      if (status.state() == InstanceStatus.State.RUNNING && status.healthy()) {
        return info(dir);
      }
      if (!status.state().active()) {
        throw failure(
            dir,
            name
                + " "
                + status.state().id()
                + (status.message() == null ? "" : ": " + status.message()));
      }
      boolean alive =
          ProcessHandle.of(status.supervisorPid()).map(ProcessHandle::isAlive).orElse(false);
      if (!alive) {
        throw failure(
            dir, name + ": its supervisor ended unexpectedly; see " + dir.supervisorLog());
      }
      if (System.nanoTime() > deadline) {
        throw failure(
            dir,
            name
                + " did not become healthy within "
                + timeout.toSeconds()
                + " s"
                + (status.engine() == null ? "" : " on " + status.engine())
                + (status.message() == null ? "" : " (" + status.message() + ")"));
      }
      sleep(200);
    }
  }

  /** Blocks until the instance's supervisor has ended (the guest is down). */
  public InstanceInfo awaitExit(String name) {
    InstanceDir dir = existing(name);
    ProcessHandle.of(dir.status().supervisorPid()).ifPresent(p -> p.onExit().join());
    return info(dir);
  }

  /**
   * Asks the guest to power off; after {@code timeout} kills the engine and every helper. Returns
   * when no process of the instance is left.
   */
  public void stop(String name, Duration timeout) {
    InstanceDir dir = existing(name);
    InstanceStatus status = dir.status();
    Optional<ProcessHandle> supervisor =
        InstanceProcesses.isOurs(status.supervisorPid(), dir.path())
            ? ProcessHandle.of(status.supervisorPid())
            : Optional.empty();
    boolean forced = false;
    if (supervisor.isPresent()) {
      supervisor.get().destroy(); // SIGTERM: the supervisor powers the guest off
      try {
        supervisor.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        forced = true;
      }
    }
    InstanceProcesses.killAll(dir.path());
    InstanceStatus after = dir.status();
    if (after.state().active() || forced) {
      dir.writeStatus(
          after.with(
              InstanceStatus.State.STOPPED,
              forced
                  ? "killed: the guest did not power off within " + timeout.toSeconds() + " s"
                  : supervisor.isPresent()
                      ? "stopped"
                      : "its supervisor had ended; leftovers cleaned up"));
    }
  }

  /**
   * Deletes a stopped instance (a running one only with {@code force}). Volumes stay: see {@link
   * #pruneVolumes()}.
   */
  public void remove(String name, boolean force) {
    InstanceDir dir = existing(name);
    InstanceStatus status = dir.status();
    boolean running =
        status.state().active() && InstanceProcesses.isOurs(status.supervisorPid(), dir.path());
    if (running && !force) {
      throw new InvalidInputException(
          "instance "
              + name
              + " is "
              + status.state().id()
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
    return instanceDirs().stream().map(this::info).toList();
  }

  /**
   * Every named volume, with its size on disk and the instances (running or not) that attach it.
   */
  public List<VolumeInfo> volumes() {
    Map<String, List<InstanceInfo>> users = volumeUsers();
    return volumes.names().stream().map(v -> volumes.describe(v, names(users.get(v)))).toList();
  }

  /**
   * Deletes named volumes and what they hold. Refuses, deleting none, when a name is unknown or an
   * instance (running or stopped) attaches the volume: its spec would point at a disk that is gone.
   */
  public List<VolumeInfo> removeVolumes(List<String> names) {
    try (VolumeStore.Lock held = volumes.lock()) {
      Map<String, List<InstanceInfo>> users = volumeUsers();
      List<VolumeInfo> removed = new ArrayList<>();
      for (String name : new java.util.LinkedHashSet<>(names)) {
        if (!volumes.exists(name)) {
          throw new InvalidInputException("no volume named " + name + " (see appliance volume ls)");
        }
        List<InstanceInfo> using = users.getOrDefault(name, List.of());
        if (!using.isEmpty()) {
          throw new InvalidInputException(
              "volume "
                  + name
                  + " is used by "
                  + describeUsers(using)
                  + ": remove "
                  + (using.size() == 1 ? "that instance" : "those instances")
                  + " first (appliance rm "
                  + String.join(" ", names(using))
                  + ")");
        }
        removed.add(volumes.describe(name, List.of()));
      }
      removed.forEach(v -> volumes.delete(v.name()));
      return removed;
    }
  }

  /** The instances (running or not) whose spec attaches volume {@code volume}, by name. */
  public List<InstanceInfo> instancesAttaching(String volume) {
    return volumeUsers().getOrDefault(volume, List.of());
  }

  /**
   * Makes the disk staged in {@code staged} (from {@link VolumeStore#stage}) the volume {@code
   * name}. Refuses when the volume exists, unless {@code replace}; even then while an instance runs
   * with it, or when a stopped instance attaches it by another filesystem UUID (its guest would not
   * find the restored disk).
   */
  public void installVolume(String name, Path staged, String uuid, boolean replace) {
    try (VolumeStore.Lock held = volumes.lock()) {
      boolean exists = volumes.exists(name);
      if (exists && !replace) {
        throw new InvalidInputException(
            "volume " + name + " exists: restore into a new name, or replace it with --force");
      }
      for (InstanceDir dir : instanceDirs()) {
        InstanceInfo info = info(dir);
        for (InstanceSpec.VolumeMount v : dir.spec().volumes()) {
          if (!v.volume().equals(name)) {
            continue;
          }
          if (isActive(info)) {
            throw new InvalidInputException(
                "volume "
                    + name
                    + " is in use by running instance "
                    + info.name()
                    + ": stop it first");
          }
          if (!v.uuid().equals(uuid)) {
            throw new InvalidInputException(
                "instance "
                    + info.name()
                    + " attaches volume "
                    + name
                    + " by filesystem UUID "
                    + v.uuid()
                    + " but the backup holds "
                    + uuid
                    + ": remove that instance first, or restore into a new name");
          }
        }
      }
      volumes.install(staged, name, uuid, exists);
    } catch (java.io.IOException e) {
      throw new ApplianceException("cannot install volume " + name + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every volume no instance attaches and returns what it deleted. */
  public List<VolumeInfo> pruneVolumes() {
    try (VolumeStore.Lock held = volumes.lock()) {
      Map<String, List<InstanceInfo>> users = volumeUsers();
      List<VolumeInfo> removed =
          volumes.names().stream()
              .filter(v -> !users.containsKey(v))
              .map(v -> volumes.describe(v, List.of()))
              .toList();
      removed.forEach(v -> volumes.delete(v.name()));
      return removed;
    }
  }

  public InstanceInfo info(String name) {
    return info(existing(name));
  }

  /**
   * A secret {@code run} generated for the instance because the image marks it {@code generate} and
   * none was given (e.g. the IDS appliance's ids_token).
   */
  public byte[] generatedSecret(String name, String secret) {
    return new GeneratedSecrets(existing(name).path()).read(name, secret);
  }

  /**
   * Copies the console log to {@code out}; with {@code follow}, keeps copying until the instance
   * stops.
   */
  public void logs(String name, boolean follow, OutputStream out) throws IOException {
    InstanceDir dir = existing(name);
    if (!Files.exists(dir.console())) {
      if (!follow) {
        return;
      }
      Files.createFile(dir.console());
    }
    try (InputStream in = Files.newInputStream(dir.console())) {
      byte[] buffer = new byte[8192];
      while (true) {
        int n = in.read(buffer);
        if (n > 0) {
          out.write(buffer, 0, n);
          continue;
        }
        out.flush();
        InstanceStatus s = dir.status();
        if (!follow
            || !(s.state().active() && InstanceProcesses.isOurs(s.supervisorPid(), dir.path()))) {
          return;
        }
        sleep(250);
      }
    }
  }

  private InstanceInfo info(InstanceDir dir) {
    InstanceSpec spec = dir.spec();
    InstanceStatus status = dir.status();
    String state = status.state().id();
    if (status.state().active() && !InstanceProcesses.isOurs(status.supervisorPid(), dir.path())) {
      state = "dead";
    }
    List<String> urls =
        spec.ports().stream()
            .filter(p -> !p.internal() && p.protocol().equals("tcp"))
            .map(
                p ->
                    (p.guestPort() == 443 ? "https" : "http")
                        + "://"
                        + p.connectAddress()
                        + ":"
                        + p.hostPort()
                        + "/")
            .toList();
    return new InstanceInfo(
        spec.name(),
        spec.image(),
        status.engine(),
        state,
        status.healthy() && state.equals("running"),
        spec.ports(),
        urls,
        status.message(),
        status.events());
  }

  private ApplianceException failure(InstanceDir dir, String message) {
    return new ApplianceException(message + consoleTail(dir));
  }

  private static String consoleTail(InstanceDir dir) {
    try {
      if (!Files.exists(dir.console())) {
        return "";
      }
      List<String> lines =
          Files.readAllLines(dir.console(), java.nio.charset.StandardCharsets.UTF_8).stream()
              .map(l -> l.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replace("\r", ""))
              .filter(l -> !l.isBlank())
              .toList();
      List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return tail.isEmpty() ? "" : "\nlast console lines:\n  " + String.join("\n  ", tail);
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  private InstanceDir existing(String name) {
    validateName(name);
    Path dir = dirs.instances().resolve(name);
    if (!Files.exists(dir.resolve("instance.json"))) {
      throw new InvalidInputException("no instance named " + name + " (see appliance ps)");
    }
    return new InstanceDir(dir);
  }

  private InstanceDir createDir(String name) {
    Path dir = dirs.instances().resolve(name).toAbsolutePath();
    if (dir.toString().length() > MAX_DIR_LENGTH) {
      throw new InvalidInputException(
          "instance directory "
              + dir
              + " is too long for Unix sockets (max "
              + MAX_DIR_LENGTH
              + " characters): use a shorter instance name or APPLIANCE_HOME");
    }
    try {
      Files.createDirectories(dirs.instances());
      if (Files.isDirectory(dir)
          && !Files.exists(dir.resolve("instance.json"))
          && InstanceProcesses.find(dir).isEmpty()) {
        FileTrees.delete(dir); // left by a `run` killed while it resolved the image
      }
      // 0700: the control sockets (UML's mconsole, QMP) command the guest.
      Files.createDirectory(
          dir,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      throw new InvalidInputException(
          "an instance named "
              + name
              + " already exists: remove it (appliance rm "
              + name
              + ") or choose another name");
    } catch (IOException e) {
      throw new ApplianceException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return new InstanceDir(dir);
  }

  /** A hard link keeps the disk alive if the cache is cleaned while the instance exists. */
  private static Path linkBaseDisk(InstanceDir dir, Path baseDisk) {
    Path link = dir.path().resolve("base.img");
    try {
      Files.createLink(link, baseDisk);
      return link;
    } catch (IOException | UnsupportedOperationException e) {
      return baseDisk.toAbsolutePath(); // another filesystem: use the cached file itself
    }
  }

  private void ensureVolumeFree(String volume, String self) {
    for (InstanceInfo other : volumeUsers().getOrDefault(volume, List.of())) {
      if (isActive(other) && !other.name().equals(self)) {
        throw new InvalidInputException(
            "volume "
                + volume
                + " is in use by running instance "
                + other.name()
                + ": an ext4 volume can be mounted by one appliance at a time");
      }
    }
  }

  /** Whether the instance's guest is up or on its way up or down: its volumes are in use. */
  public static boolean isActive(InstanceInfo instance) {
    return List.of("starting", "running", "stopping").contains(instance.state());
  }

  /** Volume name to the instances whose spec attaches it, in name order. */
  private Map<String, List<InstanceInfo>> volumeUsers() {
    Map<String, List<InstanceInfo>> users = new java.util.TreeMap<>();
    for (InstanceDir dir : instanceDirs()) {
      InstanceInfo info = info(dir);
      for (InstanceSpec.VolumeMount v : dir.spec().volumes()) {
        users.computeIfAbsent(v.volume(), k -> new ArrayList<>()).add(info);
      }
    }
    return users;
  }

  private static List<String> names(List<InstanceInfo> instances) {
    return instances == null ? List.of() : instances.stream().map(InstanceInfo::name).toList();
  }

  /** "instance web (stopped)", "instances a (running), b (created)". */
  private static String describeUsers(List<InstanceInfo> instances) {
    return (instances.size() == 1 ? "instance " : "instances ")
        + instances.stream()
            .map(i -> i.name() + " (" + i.state() + ")")
            .collect(java.util.stream.Collectors.joining(", "));
  }

  /** The directories of the instances that exist (their spec is written), in name order. */
  private List<InstanceDir> instanceDirs() {
    Path root = dirs.instances();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(p -> Files.exists(p.resolve("instance.json")))
          .sorted(Comparator.comparing(Path::getFileName))
          .map(InstanceDir::new)
          .toList();
    } catch (IOException e) {
      throw new ApplianceException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> effectiveParams(RunRequest request, ApplianceMetadata meta) {
    Map<String, ApplianceMetadata.Param> declared = new LinkedHashMap<>();
    meta.params().forEach(p -> declared.put(p.name(), p));
    Map<String, String> effective = new LinkedHashMap<>();
    for (ApplianceMetadata.Param p : meta.params()) {
      if (!p.secret() && p.defaultValue() != null) {
        effective.put(p.name(), p.defaultValue());
      }
    }
    for (Map.Entry<String, String> e : request.params().entrySet()) {
      ApplianceMetadata.Param p = declared.get(e.getKey());
      if (p == null) {
        throw new InvalidInputException(
            "parameter "
                + e.getKey()
                + ": "
                + request.image()
                + " has no such parameter"
                + known(declared));
      }
      if (p.secret()) {
        throw new InvalidInputException(
            "parameter "
                + e.getKey()
                + " is secret: give it as a secret (from a"
                + " file or standard input), never as a plain value");
      }
      effective.put(e.getKey(), e.getValue());
    }
    for (String key : request.secrets().keySet()) {
      if (!declared.containsKey(key)) {
        throw new InvalidInputException(
            "secret " + key + ": " + request.image() + " has no such parameter" + known(declared));
      }
    }
    return effective;
  }

  private static String known(Map<String, ApplianceMetadata.Param> declared) {
    return declared.isEmpty()
        ? " (it takes none)"
        : " (it takes: " + String.join(", ", declared.keySet()) + ")";
  }

  private static void validateName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "instance name '"
              + name
              + "': use lower-case letters, digits, '.', '_'"
              + " and '-', starting with a letter or digit");
    }
  }

  /**
   * From the image reference's repository: {@code registry/ops/lamp:1.0.0} gives {@code lamp-3f2a}.
   */
  private String generatedName(String reference) {
    String imageName =
        reference.replaceFirst("[@].*$", "").replaceFirst(":[^:/]*$", "").replaceFirst("^.*/", "");
    String base = imageName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
    base = base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0)) ? "appliance" : base;
    byte[] random = new byte[2];
    ThreadLocalRandom.current().nextBytes(random);
    return base.substring(0, Math.min(base.length(), 40)) + "-" + HexFormat.of().formatHex(random);
  }

  private static String str(Path path) {
    return path == null ? null : path.toAbsolutePath().toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted", e);
    }
  }
}
