package dev.appliance.signing;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import java.util.Map;
import java.util.Optional;

/**
 * A signature as it sits in a registry: the signature manifest (exact bytes) and the blobs it names
 * (config and payload layers), keyed by digest. What a transport pushes, and what it fetches for
 * the {@link Verifier}. Attestation manifests ({@code .att}, DSSE layers) have the same shape and
 * travel as this type too.
 *
 * @param manifest the cosign signature manifest
 * @param blobs the blobs the manifest names; for fetched signatures, what the registry returned
 */
public record SignatureManifest(Manifest manifest, Map<Digest, byte[]> blobs) {
  /** The layer media type of a cosign simple-signing payload. */
  public static final String PAYLOAD_MEDIA_TYPE =
      "application/vnd.dev.cosign.simplesigning.v1+json";

  /** The layer annotation holding the base64 ECDSA signature of the payload. */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  /** The artifactType of a cosign signature stored as an OCI 1.1 referrer. */
  public static final String ARTIFACT_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";

  public SignatureManifest {
    blobs = Map.copyOf(blobs);
  }

  /**
   * The tag cosign and skopeo store the signatures of {@code image} under: {@code
   * sha256-<hex>.sig}.
   */
  public static String tagFor(Digest image) {
    return image.algorithm() + "-" + image.hex() + ".sig";
  }

  /**
   * The blob behind a descriptor, if it was supplied. Contents are not checked here (the Verifier
   * does).
   */
  public Optional<byte[]> blob(Descriptor descriptor) {
    return Optional.ofNullable(blobs.get(descriptor.digest())).map(byte[]::clone);
  }

  @Override
  public String toString() {
    return "SignatureManifest["
        + manifest.digest()
        + ", "
        + manifest.layers().size()
        + " signatures]";
  }
}
