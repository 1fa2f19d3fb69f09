package dev.appliance.store;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import java.nio.file.Path;
import java.util.List;

/**
 * An image in the local store.
 *
 * @param name the tag it was found under, or its digest when untagged
 * @param manifest its manifest (exact bytes)
 * @param config its config (exact bytes)
 * @param layerFiles the layer blobs on disk, bottom first
 */
public record StoredImage(
    String name, Manifest manifest, ImageConfig config, List<Path> layerFiles) {
  public StoredImage {
    layerFiles = List.copyOf(layerFiles);
  }

  public Descriptor descriptor() {
    return manifest.descriptor();
  }

  /** The appliance metadata from the config labels. */
  public ApplianceMetadata metadata() {
    return config.appliance(name);
  }
}
