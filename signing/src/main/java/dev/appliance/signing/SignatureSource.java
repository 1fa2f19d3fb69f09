package dev.appliance.signing;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import java.io.IOException;
import java.util.List;

/**
 * Where verification finds the signatures of an image: the registry transport implements it (the
 * {@code sha256-<hex>.sig} tag, OCI 1.1 referrers). Returns what the registry holds, unchecked; an
 * image with none gives an empty list.
 */
@FunctionalInterface
public interface SignatureSource {
  List<SignatureManifest> signaturesOf(ImageReference image, Digest manifestDigest)
      throws IOException;
}
