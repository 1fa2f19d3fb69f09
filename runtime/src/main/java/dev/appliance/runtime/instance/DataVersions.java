package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.DataFormat;
import dev.appliance.runtime.host.RunRemedy;
import java.util.List;

/**
 * The data version each volume has reached, on the host: an image runs on a volume only if it reads
 * that version or a newer one, and the guest's upgrade hook runs when the image's version is
 * higher. Recorded once a boot became healthy (the hook runs before services, so before health).
 */
final class DataVersions {
  private final VolumeStore volumes;

  DataVersions(VolumeStore volumes) {
    this.volumes = volumes;
  }

  /**
   * Checks that {@code image} may boot on the instance's volumes and returns the data version its
   * upgrade hook has to start from: the lowest among the volumes that exist, when lower than the
   * image's and the image has a hook; null when nothing has to run.
   *
   * @param instance names the instance in the refusal's advice
   * @throws InvalidInputException when a volume holds a newer data version than the image reads,
   *     naming the volume, both versions and what to restore instead
   */
  Integer pendingUpgrade(String instance, String image, DataFormat data, List<String> volumeNames) {
    int target = DataFormat.versionOf(data);
    Integer from = null;
    for (String volume : volumeNames) {
      if (!volumes.exists(volume)) {
        continue; // created at first boot from the image: already at its version
      }
      int held = volumes.dataVersion(volume);
      if (held > target) {
        throw new InvalidInputException(
            refusal(instance, image, target, volume, held),
            snapshotFits(volume, target) ? RunRemedy.RESTORE_SNAPSHOT : null);
      }
      if (held < target) {
        from = from == null ? held : Math.min(from, held);
      }
    }
    return data != null && data.upgrade() != null ? from : null;
  }

  /** After a healthy boot: each volume has reached the image's data version. */
  void recordHealthy(InstanceSpec spec) {
    int version = DataFormat.versionOf(spec.data());
    for (InstanceSpec.VolumeMount v : spec.volumes()) {
      if (volumes.exists(v.volume()) && volumes.dataVersion(v.volume()) < version) {
        volumes.recordDataVersion(v.volume(), version, spec.image());
      }
    }
  }

  /** Records a volume just created by {@code image}: it starts at the image's version. */
  void recordNew(String volume, DataFormat data, String image) {
    if (DataFormat.versionOf(data) > 0) {
      volumes.recordDataVersion(volume, data.version(), image);
    }
  }

  private String refusal(String instance, String image, int target, String volume, int held) {
    String writer = volumes.dataVersionWriter(volume);
    String snapshot = VolumeSnapshots.nameOf(volume);
    boolean snapshotFits = snapshotFits(volume, target);
    return "volume "
        + volume
        + " holds data version "
        + held
        + (writer == null ? "" : " (written by " + writer + ")")
        + ", but "
        + image
        + " reads data version "
        + target
        + ": refusing to boot it on that volume. Restore what the volume held before version "
        + held
        + " instead: "
        + (snapshotFits
            ? "the snapshot " + snapshot + " (data version " + volumes.dataVersion(snapshot) + ")"
            : "a backup of it made before version " + held);
  }

  /** Whether the volume's snapshot exists and holds data {@code target} reads. */
  private boolean snapshotFits(String volume, int target) {
    String snapshot = VolumeSnapshots.nameOf(volume);
    return volumes.exists(snapshot) && volumes.dataVersion(snapshot) <= target;
  }
}
