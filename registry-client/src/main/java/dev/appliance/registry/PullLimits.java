package dev.appliance.registry;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;

/**
 * Bounds on what a registry's manifest may ask a pull to fetch, checked before any blob is
 * requested. A config is read whole into memory, so it is capped like a manifest; a layer is
 * bounded by the size its descriptor claims, and {@link RegistryClient#blob} stops at the first
 * byte beyond it.
 */
final class PullLimits {
  /** Manifests and configs: far above any real one (a few KiB), far below harm. */
  static final int DOCUMENT_BYTES = 4 << 20;

  static final int MAX_LAYERS = 1_000;

  private PullLimits() {}

  static void check(Manifest manifest, String image) {
    Descriptor config = manifest.config();
    if (config.size() > DOCUMENT_BYTES) {
      throw new InvalidInputException(
          image
              + ": the manifest declares a config of "
              + config.size()
              + " bytes; at most "
              + DOCUMENT_BYTES
              + " are accepted");
    }
    if (manifest.layers().size() > MAX_LAYERS) {
      throw new InvalidInputException(
          image
              + ": the manifest lists "
              + manifest.layers().size()
              + " layers; at most "
              + MAX_LAYERS
              + " are accepted");
    }
    for (Descriptor blob : RemoteReferences.blobsOf(manifest)) {
      if (!blob.digest().algorithm().equals("sha256")) {
        throw new InvalidInputException(
            image
                + ": blob "
                + blob.digest()
                + " uses "
                + blob.digest().algorithm()
                + "; appliance stores sha256 blobs only");
      }
    }
  }
}
