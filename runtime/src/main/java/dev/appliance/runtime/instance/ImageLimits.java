package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.host.RunRemedy;

/**
 * What this host lets an image ask for, on top of the rules every image obeys ({@link
 * MetadataRules}): an image declares its root disk's size, and the disk is assembled (and its
 * layers staged) up to that size before anything boots, so a pulled image must not be able to fill
 * the user's disk by asking.
 *
 * @param maxDiskBytes the largest root disk an image may declare
 */
public record ImageLimits(long maxDiskBytes) {
  /** Larger than any appliance this project builds (3G for the IDS), small enough to notice. */
  public static final long DEFAULT_MAX_DISK_BYTES = 64L << 30;

  public static final ImageLimits DEFAULTS = new ImageLimits(DEFAULT_MAX_DISK_BYTES);

  public ImageLimits {
    if (!MetadataRules.DISK_BYTES.contains(maxDiskBytes)) {
      throw new InvalidInputException(
          "maximum disk size "
              + MetadataRules.human(maxDiskBytes)
              + " is out of range ("
              + MetadataRules.humanRange(MetadataRules.DISK_BYTES)
              + ")");
    }
  }

  /**
   * @param image names the image in the error
   * @throws InvalidInputException when the image asks for more than these limits allow
   */
  public ApplianceMetadata check(ApplianceMetadata metadata, String image) {
    if (metadata.diskBytes() > maxDiskBytes) {
      throw new InvalidInputException(
          image
              + ": label "
              + ApplianceMetadata.PREFIX
              + "disk-bytes asks for a "
              + MetadataRules.human(metadata.diskBytes())
              + " disk, more than the maximum disk size of "
              + MetadataRules.human(maxDiskBytes),
          RunRemedy.RAISE_DISK_LIMIT);
    }
    return metadata;
  }
}
