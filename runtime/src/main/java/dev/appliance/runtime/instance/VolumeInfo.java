package dev.appliance.runtime.instance;

import java.nio.file.Path;
import java.util.List;

/**
 * A named volume.
 *
 * @param bytesOnDisk host space it takes (its disk is sparse)
 * @param capacityBytes the size the guest sees
 * @param instances the instances, running or not, whose spec attaches it
 */
public record VolumeInfo(
    String name, Path disk, long bytesOnDisk, long capacityBytes, List<String> instances) {
  public VolumeInfo {
    instances = List.copyOf(instances);
  }
}
