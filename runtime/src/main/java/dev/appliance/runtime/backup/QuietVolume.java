package dev.appliance.runtime.backup;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A volume no running guest writes to while it is copied. Appliance has no channel into a running
 * guest to run a quiesce hook through, so the only consistent copy is one of a volume whose
 * instance is stopped: with {@code stop}, the running instances attaching it are stopped (the guest
 * powers off cleanly, flushing its filesystem) and started again on {@link #close()}; without it, a
 * running instance is refused.
 */
final class QuietVolume implements AutoCloseable {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final InstanceManager instances;
  private final String volume;
  private final List<InstanceInfo> attaching;
  private final List<String> stopped = new ArrayList<>();
  private final Consumer<String> progress;

  private QuietVolume(
      InstanceManager instances,
      String volume,
      List<InstanceInfo> attaching,
      Consumer<String> progress) {
    this.instances = instances;
    this.volume = volume;
    this.attaching = attaching;
    this.progress = progress;
  }

  static QuietVolume of(
      InstanceManager instances, String volume, boolean stop, Consumer<String> progress) {
    List<InstanceInfo> attaching = instances.instancesAttaching(volume);
    List<InstanceInfo> running = attaching.stream().filter(InstanceManager::isActive).toList();
    if (!running.isEmpty() && !stop) {
      throw new InvalidInputException(
          "volume "
              + volume
              + " is in use by running instance "
              + running.get(0).name()
              + ": a copy of a volume a guest is writing would not be consistent; stop it first",
          RunRemedy.STOP_FOR_BACKUP);
    }
    QuietVolume quiet = new QuietVolume(instances, volume, attaching, progress);
    for (InstanceInfo instance : running) {
      progress.accept("stopping " + instance.name() + " for the backup");
      instances.stop(instance.name(), STOP_TIMEOUT);
      quiet.stopped.add(instance.name());
    }
    return quiet;
  }

  /** The instance attaching the volume, if any: recorded in the backup. */
  InstanceInfo owner() {
    return attaching.isEmpty() ? null : attaching.get(0);
  }

  /** Fails when an instance started with the volume while it was copied. */
  void checkStillQuiet() {
    for (InstanceInfo instance : instances.instancesAttaching(volume)) {
      if (InstanceManager.isActive(instance)) {
        throw new ApplianceException(
            "instance "
                + instance.name()
                + " started with volume "
                + volume
                + " during the backup: the copy would not be consistent; nothing was tagged");
      }
    }
  }

  List<String> stopped() {
    return List.copyOf(stopped);
  }

  /** Starts again what {@link #of} stopped, waiting for each to be healthy. */
  @Override
  public void close() {
    for (String name : stopped) {
      progress.accept("starting " + name + " again");
      instances.startAndAwait(name, null, progress);
    }
  }
}
