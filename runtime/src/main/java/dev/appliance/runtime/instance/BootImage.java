package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.DataFormat;
import dev.appliance.runtime.engine.BootSpec;
import java.nio.file.Path;

/**
 * An image made ready to boot: its root disk assembled and its kernels on the host.
 *
 * @param reference what the user asked for, e.g. {@code lamp:1.0.0}
 * @param digest the image's manifest digest
 * @param baseDisk the shared, read-only root disk
 * @param fromRegistry whether the image came from a registry (untrusted) rather than a local build
 * @param data the version of the data it keeps on volumes and its upgrade hook; null: version 0
 */
public record BootImage(
    String reference,
    String digest,
    ApplianceMetadata metadata,
    Path baseDisk,
    BootSpec.Kernels kernels,
    boolean fromRegistry,
    DataFormat data) {

  /** An image without a data section (data version 0). */
  public BootImage(
      String reference,
      String digest,
      ApplianceMetadata metadata,
      Path baseDisk,
      BootSpec.Kernels kernels,
      boolean fromRegistry) {
    this(reference, digest, metadata, baseDisk, kernels, fromRegistry, null);
  }
}
