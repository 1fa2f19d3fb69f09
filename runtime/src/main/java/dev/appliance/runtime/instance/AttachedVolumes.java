package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.host.RunRemedy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Named volumes seen with the instances that attach them: listing, removal and pruning that never
 * take a volume an instance's spec names, and the one-running-user rule.
 */
final class AttachedVolumes {
  private final VolumeStore volumes;
  private final InstanceDirs instances;

  AttachedVolumes(VolumeStore volumes, InstanceDirs instances) {
    this.volumes = volumes;
    this.instances = instances;
  }

  List<VolumeInfo> list() {
    Map<String, List<InstanceInfo>> users = users();
    return volumes.names().stream().map(v -> volumes.describe(v, names(users.get(v)))).toList();
  }

  List<VolumeInfo> remove(List<String> names) {
    try (VolumeStore.Lock held = volumes.lock()) {
      Map<String, List<InstanceInfo>> users = users();
      List<VolumeInfo> removed = new ArrayList<>();
      for (String name : new LinkedHashSet<>(names)) {
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

  List<VolumeInfo> prune() {
    try (VolumeStore.Lock held = volumes.lock()) {
      Map<String, List<InstanceInfo>> users = users();
      List<VolumeInfo> removed =
          volumes.names().stream()
              .filter(v -> !users.containsKey(v))
              .map(v -> volumes.describe(v, List.of()))
              .toList();
      removed.forEach(v -> volumes.delete(v.name()));
      return removed;
    }
  }

  /** Refuses a volume another instance has running: ext4 is mounted by one guest at a time. */
  void ensureFree(String volume, String self) {
    for (InstanceInfo other : users().getOrDefault(volume, List.of())) {
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
  static boolean isActive(InstanceInfo instance) {
    return List.of("starting", "running", "stopping").contains(instance.state());
  }

  /** The instances (running or not) whose spec attaches volume {@code volume}, by name. */
  List<InstanceInfo> instancesAttaching(String volume) {
    return users().getOrDefault(volume, List.of());
  }

  /** See {@link InstanceManager#installVolume}. */
  void install(String name, java.nio.file.Path staged, String uuid, boolean replace) {
    try (VolumeStore.Lock held = volumes.lock()) {
      boolean exists = volumes.exists(name);
      if (exists && !replace) {
        throw new InvalidInputException(
            "volume " + name + " exists: restore into a new name", RunRemedy.REPLACE_VOLUME);
      }
      for (InstanceDir dir : instances.all()) {
        InstanceInfo info = InstanceInfos.read(dir);
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

  /** Volume name to the instances whose spec attaches it, in name order. */
  private Map<String, List<InstanceInfo>> users() {
    Map<String, List<InstanceInfo>> users = new TreeMap<>();
    for (InstanceDir dir : instances.all()) {
      InstanceInfo info = InstanceInfos.read(dir);
      for (InstanceSpec.VolumeMount v : dir.spec().volumes()) {
        users.computeIfAbsent(v.volume(), k -> new ArrayList<>()).add(info);
        // Its snapshot is kept for the instance's rollback: not unused.
        String snapshot = VolumeSnapshots.nameOf(v.volume());
        if (volumes.exists(snapshot)) {
          users.computeIfAbsent(snapshot, k -> new ArrayList<>()).add(info);
        }
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
            .collect(Collectors.joining(", "));
  }
}
