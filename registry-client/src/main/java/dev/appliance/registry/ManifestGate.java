package dev.appliance.registry;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.store.ImageStore;

/**
 * Decides whether a pull may go on, once the manifest is fetched and its digest checked and before
 * any blob is downloaded or anything is stored: the signature policy plugs in here. Refuses by
 * throwing.
 */
@FunctionalInterface
public interface ManifestGate {
  ManifestGate OPEN = (image, digest) -> {};

  void admit(ImageReference image, Digest digest);

  /**
   * Called once the admitted image is in {@code store} (outside the store's write lock): the
   * signature policy keeps what it checked with the image here.
   */
  default void stored(ImageStore store, ImageReference image, Digest digest) {}
}
