package dev.appliance.registry;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;

/**
 * Decides whether a pull may go on, once the manifest is fetched and its digest checked and before
 * any blob is downloaded or anything is stored: the signature policy plugs in here. Refuses by
 * throwing.
 */
@FunctionalInterface
public interface ManifestGate {
  ManifestGate OPEN = (image, digest) -> {};

  void admit(ImageReference image, Digest digest);
}
