package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.net.PublishedPort;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * {@code upgrade} and {@code rollback}: an instance moved to another image with the same name,
 * ports, parameters, secrets and volumes; the new image gets a config disk of its own with what
 * {@code run} would give it ({@link UpgradedConfig}). An upgrade snapshots the volumes while the
 * guest is stopped and, when the new image does not become healthy in time or the user interrupts,
 * restores them and boots the previous image again.
 */
final class InstanceUpgrade {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final AttachedVolumes attached;
  private final DataVersions dataVersions;
  private final VolumeSnapshots snapshots;

  InstanceUpgrade(AttachedVolumes attached, DataVersions dataVersions, VolumeSnapshots snapshots) {
    this.attached = attached;
    this.dataVersions = dataVersions;
    this.snapshots = snapshots;
  }

  /**
   * @param timeout null: the new image's health-check timeout
   * @throws ApplianceException when the new image failed and the previous one runs again (the
   *     message says why and that it was rolled back), or when that failed too
   */
  InstanceInfo upgrade(
      InstanceDir dir,
      String reference,
      BootImageResolver images,
      boolean noSandbox,
      Duration timeout,
      Consumer<String> progress) {
    InstanceSpec current = dir.spec();
    List<String> volumes =
        current.volumes().stream().map(InstanceSpec.VolumeMount::volume).toList();
    VolumeSnapshots.checkNames(volumes);
    ImageSlots slots = new ImageSlots(dir);
    if (slots.interruptedUpgrade().isPresent()) {
      throw new InvalidInputException(
          "an upgrade of "
              + dir.name()
              + " was interrupted before it finished: `appliance rollback "
              + dir.name()
              + "` restores its volumes and the image it ran before");
    }
    BootImage image = images.resolve(reference, progress);
    if (image.digest().equals(current.imageDigest())) {
      // A scheduled `upgrade NAME` with no new version is not an error.
      progress.accept(
          dir.name()
              + " already runs "
              + reference
              + " ("
              + image.digest()
              + "): nothing to upgrade");
      return InstanceInfos.read(dir);
    }
    checkHealthPort(image, current);
    Integer from = dataVersions.pendingUpgrade(dir.name(), reference, image.data(), volumes);
    boolean unconfined = SandboxPolicy.unconfined(Bubblewrap.probe(), image, noSandbox, progress);
    UpgradedConfig config =
        UpgradedConfig.of(
            ConfigDisk.read(dir.configDisk()),
            current.given(),
            dir.name(),
            image.metadata(),
            reference,
            new GeneratedSecrets(dir.path()),
            new SecureRandom());
    config.notices().forEach(progress);
    InstanceSpec next =
        current.withImage(
            image,
            slots.linkBaseDisk(image.digest(), image.baseDisk()),
            unconfined,
            from,
            config.given());
    if (ImageHistory.read(dir).isEmpty()) {
      ImageHistory.append(dir, current, "created", null);
    }

    long started = System.nanoTime();
    progress.accept("stopping " + dir.name() + " (" + current.image() + ")");
    InstanceStopper.stop(dir, STOP_TIMEOUT);
    boolean staged = false;
    try {
      if (!volumes.isEmpty()) {
        progress.accept("snapshotting volume(s) " + String.join(", ", volumes));
      }
      snapshots.take(volumes);
      slots.stage(next);
      staged = true;
      // The previous image's config disk stays in its slot, for a rollback.
      ConfigDisk.write(
          dir.configDisk(), dir.name(), config.params(), config.secrets(), next.volumes());
      progress.accept(
          "booting "
              + reference
              + (from == null ? "" : " (its data upgrade runs from version " + from + ")"));
      InstanceInfo info = boot(dir, next, timeout, progress);
      dataVersions.recordHealthy(next);
      dir.writeSpec(next.withDataUpgradeFrom(null));
      slots.commit();
      snapshots.keep(volumes);
      ImageHistory.append(dir, next, "upgraded", null);
      progress.accept(
          String.format(
              "upgraded %s to %s in %.1f s (stop to healthy); `appliance rollback %s` goes back",
              dir.name(), reference, (System.nanoTime() - started) / 1e9, dir.name()));
      return info;
    } catch (RuntimeException e) {
      boolean interrupted = Thread.interrupted(); // cleared: the rollback must be able to wait
      String reason = interrupted ? "interrupted by the user" : firstLine(e.getMessage());
      ImageHistory.append(dir, next, "upgrade-failed", reason);
      progress.accept("upgrade to " + reference + " failed: " + reason);
      progress.accept("rolling back to " + current.image() + ", volumes as before the upgrade");
      long rollbackStarted = System.nanoTime();
      try {
        if (staged) {
          revert(dir, slots, current, volumes, progress);
        } else {
          // Failed or interrupted while snapshotting: the volumes are untouched.
          snapshots.discard(volumes);
          boot(dir, current, null, progress);
        }
      } catch (RuntimeException second) {
        throw new ApplianceException(
            "upgrade of "
                + dir.name()
                + " to "
                + reference
                + " failed ("
                + reason
                + ") and so did booting "
                + current.image()
                + " again: "
                + second.getMessage(),
            second);
      }
      ImageHistory.append(dir, current, "rolled-back", null);
      progress.accept(
          String.format(
              "rolled back in %.1f s: %s runs %s again",
              (System.nanoTime() - rollbackStarted) / 1e9, dir.name(), current.image()));
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw new ApplianceException(
          "upgrade of "
              + dir.name()
              + " to "
              + reference
              + " failed: "
              + (interrupted ? reason : e.getMessage())
              + "\nrolled back: "
              + dir.name()
              + " runs "
              + current.image()
              + " again, healthy, with its volumes as before the upgrade",
          e);
    }
  }

  /**
   * {@code rollback}: the previous image becomes current again (and the current one previous).
   *
   * @param restoreVolumes first copy each volume's kept snapshot back over it (what was written
   *     since the upgrade is lost): for a rollback across a data version
   */
  InstanceInfo rollback(
      InstanceDir dir, boolean restoreVolumes, Duration timeout, Consumer<String> progress) {
    ImageSlots slots = new ImageSlots(dir);
    Optional<InstanceSpec> setAside = slots.interruptedUpgrade();
    if (setAside.isPresent()) {
      progress.accept(
          "the upgrade of "
              + dir.name()
              + " to "
              + dir.spec().image()
              + " was interrupted: reverting it, volumes as before that upgrade");
      List<String> volumes =
          setAside.get().volumes().stream().map(InstanceSpec.VolumeMount::volume).toList();
      ImageHistory.append(dir, dir.spec(), "upgrade-failed", "interrupted");
      InstanceInfo info = revert(dir, slots, setAside.get(), volumes, progress);
      ImageHistory.append(dir, setAside.get(), "rolled-back", null);
      return info;
    }
    InstanceSpec previous =
        slots
            .previous()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        dir.name()
                            + " has no previous image to roll back to (it was never upgraded)"));
    InstanceSpec current = dir.spec();
    List<String> volumes =
        current.volumes().stream().map(InstanceSpec.VolumeMount::volume).toList();
    if (!restoreVolumes) {
      dataVersions.pendingUpgrade(dir.name(), previous.image(), previous.data(), volumes);
    }
    if (ImageHistory.read(dir).isEmpty()) {
      ImageHistory.append(dir, current, "created", null);
    }
    long started = System.nanoTime();
    progress.accept("stopping " + dir.name() + " (" + current.image() + ")");
    InstanceStopper.stop(dir, STOP_TIMEOUT);
    if (restoreVolumes) {
      progress.accept(
          "restoring volume(s) " + String.join(", ", volumes) + " from their snapshots");
      snapshots.restoreKept(volumes);
    }
    slots.swap();
    progress.accept("booting " + previous.image());
    InstanceInfo info = boot(dir, previous, timeout, progress);
    dataVersions.recordHealthy(previous);
    ImageHistory.append(dir, previous, "rolled-back", null);
    progress.accept(
        String.format(
            "rolled back %s to %s in %.1f s (stop to healthy)",
            dir.name(), previous.image(), (System.nanoTime() - started) / 1e9));
    return info;
  }

  /** Undoes a failed upgrade: stops it, restores the volumes, boots the image set aside. */
  private InstanceInfo revert(
      InstanceDir dir,
      ImageSlots slots,
      InstanceSpec setAside,
      List<String> volumes,
      Consumer<String> progress) {
    InstanceStopper.stop(dir, Duration.ofSeconds(10));
    snapshots.restore(volumes);
    slots.revert();
    return boot(dir, setAside, null, progress);
  }

  private InstanceInfo boot(
      InstanceDir dir, InstanceSpec spec, Duration timeout, Consumer<String> progress) {
    for (InstanceSpec.VolumeMount v : spec.volumes()) {
      attached.ensureFree(v.volume(), dir.name());
    }
    SupervisorLauncher.launch(dir, OptionalLong.empty());
    try {
      return HealthWait.awaitUp(
          dir, timeout != null ? timeout : HealthWait.defaultTimeout(spec), progress);
    } catch (RuntimeException e) {
      boolean interrupted = Thread.interrupted();
      InstanceStopper.stop(dir, Duration.ofSeconds(10));
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  /** The instance keeps its ports: the new image's health check must use one of them. */
  private static void checkHealthPort(BootImage image, InstanceSpec current) {
    var health = image.metadata().health();
    if (health != null
        && current.ports().stream()
            .noneMatch(p -> p.guestPort() == health.port() && p.protocol().equals("tcp"))) {
      throw new InvalidInputException(
          image.reference()
              + " checks its health on guest port "
              + health.port()
              + ", which "
              + current.name()
              + " does not publish (it publishes "
              + String.join(", ", current.ports().stream().map(PublishedPort::describe).toList())
              + "): run it as a new instance instead");
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
