package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import java.util.List;

/**
 * The copies of an instance's volumes taken before an upgrade: first hidden while the upgrade runs,
 * then kept as the volume {@code NAME}{@value #SUFFIX} (listed by {@code volume ls}) until the next
 * successful upgrade replaces it, or moved back over the volume when the upgrade fails.
 */
final class VolumeSnapshots {
  static final String SUFFIX = ".pre-upgrade";

  private final VolumeStore volumes;

  VolumeSnapshots(VolumeStore volumes) {
    this.volumes = volumes;
  }

  /** The snapshot volume's name; volume names are at most 63 characters, hence the check. */
  static String nameOf(String volume) {
    return volume + SUFFIX;
  }

  /** Refuses volumes whose snapshot name would not be a valid volume name. */
  static void checkNames(List<String> names) {
    for (String v : names) {
      if (!VolumeMount.isName(nameOf(v))) {
        throw new InvalidInputException(
            "volume "
                + v
                + ": its name is too long for a snapshot "
                + nameOf(v)
                + " (volume names hold at most 63 characters)");
      }
    }
  }

  private static String pending(String volume) {
    return ".upgrading-" + volume;
  }

  /** Copies each volume aside (hidden); the guest must be stopped. */
  void take(List<String> names) {
    for (String v : names) {
      if (volumes.exists(v)) {
        volumes.copy(v, pending(v));
      }
    }
  }

  /** The upgrade succeeded: the copies become the kept snapshots, replacing older ones. */
  void keep(List<String> names) {
    for (String v : names) {
      if (java.nio.file.Files.exists(volumes.disk(pending(v)))) {
        volumes.replace(pending(v), nameOf(v));
      }
    }
  }

  /** The upgrade failed: each volume gets back what it held before (older snapshots stay). */
  void restore(List<String> names) {
    for (String v : names) {
      if (java.nio.file.Files.exists(volumes.disk(pending(v)))) {
        volumes.replace(pending(v), v);
      }
    }
  }

  /** The upgrade stopped before the new image booted: the copies are dropped. */
  void discard(List<String> names) {
    names.forEach(v -> volumes.discard(pending(v)));
  }

  /** {@code rollback --restore-volumes}: the kept snapshot copied back over each volume. */
  void restoreKept(List<String> names) {
    for (String v : names) {
      if (!volumes.exists(nameOf(v))) {
        throw new InvalidInputException(
            "volume "
                + v
                + " has no snapshot "
                + nameOf(v)
                + " to restore (see appliance volume ls)");
      }
    }
    names.forEach(v -> volumes.copy(nameOf(v), v));
  }
}
