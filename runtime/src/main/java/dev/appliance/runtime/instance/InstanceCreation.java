package dev.appliance.runtime.instance;

import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.engine.EngineSelector;
import dev.appliance.runtime.engine.ProbeCache;
import dev.appliance.runtime.net.PortAllocator;
import dev.appliance.runtime.net.PublishedPort;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Creates a stopped instance: its directory, image, ports, volumes, secrets, config disk and spec.
 * Nothing is left behind when a step fails.
 */
final class InstanceCreation {
  private final InstanceDirs instances;
  private final VolumeStore volumes;
  private final AttachedVolumes attached;
  private final DataVersions dataVersions;
  private final ProbeCache probes;

  InstanceCreation(
      InstanceDirs instances,
      VolumeStore volumes,
      AttachedVolumes attached,
      DataVersions dataVersions,
      ProbeCache probes) {
    this.instances = instances;
    this.volumes = volumes;
    this.attached = attached;
    this.dataVersions = dataVersions;
    this.probes = probes;
  }

  /**
   * @param reserved called once the instance's directory exists, before the image is resolved
   * @return the instance's name
   */
  String create(
      RunRequest request,
      BootImageResolver images,
      Consumer<String> progress,
      Consumer<InstanceDir> reserved) {
    String engine = EngineSelector.validate(request.engine());
    if (request.name() != null) {
      InstanceDirs.validateName(request.name());
    }
    String name =
        request.name() != null ? request.name() : InstanceDirs.generatedName(request.image());
    InstanceDir dir = instances.create(name);
    try {
      reserved.accept(dir);
      BootImage image = images.resolve(request.image(), progress);
      boolean unconfined =
          SandboxPolicy.unconfined(
              Bubblewrap.probe(probes), image, request.isolation().noSandbox(), progress);
      ApplianceMetadata meta = image.metadata();
      Map<String, String> params = EffectiveParams.of(request, meta);
      long memory = request.memoryMiB() == null ? meta.memoryMiB() : request.memoryMiB();
      int cpus = request.cpus() == null ? meta.cpus() : request.cpus();
      List<PublishedPort> ports =
          PortAllocator.allocate(request.ports(), meta.health() == null ? 0 : meta.health().port());
      List<InstanceSpec.VolumeMount> mounts = new ArrayList<>();
      List<String> extraDisks = new ArrayList<>(List.of(dir.configDisk().toString()));
      // Until the spec names the volumes, `volume rm/prune` must not see them as unused.
      try (VolumeStore.Lock held = volumes.lock()) {
        Integer dataFrom =
            dataVersions.pendingUpgrade(
                name,
                request.image(),
                image.data(),
                request.volumes().stream().map(VolumeMount::name).toList());
        for (VolumeMount v : request.volumes()) {
          attached.ensureFree(v.name(), name);
          if (!volumes.exists(v.name())) {
            volumes.ensure(v.name());
            dataVersions.recordNew(v.name(), image.data(), request.image());
          }
          mounts.add(
              new InstanceSpec.VolumeMount(v.name(), v.guestPath(), volumes.ensure(v.name())));
          extraDisks.add(volumes.disk(v.name()).toString());
        }
        Map<String, byte[]> secrets =
            new GeneratedSecrets(dir.path())
                .completeAndKeep(meta, request.secrets(), new SecureRandom());
        secrets.keySet().stream()
            .filter(s -> !request.secrets().containsKey(s))
            .forEach(s -> progress.accept(GeneratedSecrets.notice(name, s)));
        ConfigDisk.write(dir.configDisk(), name, params, secrets, mounts);
        var k = image.kernels();
        if (!Files.exists(dir.statusFile())) {
          dir.writeStatus(
              InstanceStatus.created()); // else: written by the supervisor launched early
        }
        InstanceSpec spec =
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
                new ImageSlots(dir).linkBaseDisk(image.digest(), image.baseDisk()).toString(),
                InstanceSpec.absolute(k.qemuKernel()),
                InstanceSpec.absolute(k.qemuInitrd()),
                InstanceSpec.absolute(k.umlKernel()),
                extraDisks,
                InstanceStatus.Clock.now(),
                unconfined,
                request.isolation().allowHostLoopback(),
                meta.networks(),
                captureFrom(request, meta),
                image.data(),
                dataFrom,
                given(request));
        dir.writeSpec(spec);
        ImageHistory.append(dir, spec, "created", null);
      }
      return name;
    } catch (RuntimeException e) {
      InstanceProcesses.killAll(dir.path()); // a supervisor launched early
      FileTrees.delete(dir.path());
      throw e;
    }
  }

  /** The names of the parameters and secrets the request gives, sorted. */
  private static List<String> given(RunRequest request) {
    return java.util.stream.Stream.concat(
            request.params().keySet().stream(), request.secrets().keySet().stream())
        .sorted()
        .toList();
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
}
