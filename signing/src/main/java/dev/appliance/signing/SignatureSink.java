package dev.appliance.signing;

import dev.appliance.oci.ImageReference;
import java.io.IOException;

/**
 * Where signing stores a signature: the registry transport implements it (referrer where the
 * registry has the referrers API, else the {@code sha256-<hex>.sig} tag, merging with signatures
 * already there).
 */
@FunctionalInterface
public interface SignatureSink {
  void store(ImageReference image, SignatureManifest signature) throws IOException;
}
