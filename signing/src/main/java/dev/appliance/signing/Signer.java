package dev.appliance.signing;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.internal.SimpleSigningPayload;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Map;

/**
 * Signs an image the way cosign does: the simple-signing payload naming the reference and manifest
 * digest, signed with ECDSA-SHA256 (ASN.1 DER), base64 in the payload layer's annotation. Produces
 * the signature manifest either for the {@code sha256-<hex>.sig} tag or as an OCI 1.1 referrer of
 * the image.
 */
public final class Signer {
  private final SigningKey key;

  public Signer(SigningKey key) {
    this.key = key;
  }

  /** The public half of the signing key. */
  public ECPublicKey publicKey() {
    return key.publicKey();
  }

  /**
   * The signature manifest for the tag scheme ({@link SignatureManifest#tagFor}), as cosign and
   * skopeo write it.
   */
  public SignatureManifest sign(ImageReference reference, Digest manifestDigest) {
    return addTo(null, reference, manifestDigest);
  }

  /**
   * The tag scheme keeps every signature of an image in one manifest: this one is appended as a
   * further layer to {@code existing} (the manifest under the .sig tag, or null when there is
   * none), as cosign does. Blobs of {@code existing} that were supplied are kept; the registry
   * already has the others.
   */
  public SignatureManifest addTo(
      SignatureManifest existing, ImageReference reference, Digest manifestDigest) {
    SignedPayload payload = signedPayload(reference, manifestDigest);
    return CosignManifests.appended(existing, payload.layer(), payload.content());
  }

  /**
   * The same signature as an OCI 1.1 referrer of {@code subject} (the image manifest's descriptor).
   */
  public SignatureManifest signAsReferrer(ImageReference reference, Descriptor subject) {
    SignedPayload payload = signedPayload(reference, subject.digest());
    return CosignManifests.referrer(
        SignatureManifest.ARTIFACT_TYPE, payload.layer(), payload.content(), subject);
  }

  private record SignedPayload(byte[] content, Descriptor layer) {}

  private SignedPayload signedPayload(ImageReference reference, Digest manifestDigest) {
    byte[] payload = SimpleSigningPayload.of(reference, manifestDigest).toJson();
    String signature = Base64.getEncoder().encodeToString(signature(payload));
    return new SignedPayload(
        payload,
        new Descriptor(
            SignatureManifest.PAYLOAD_MEDIA_TYPE,
            Digest.sha256(payload),
            payload.length,
            Map.of(SignatureManifest.SIGNATURE_ANNOTATION, signature)));
  }

  /** An ECDSA-SHA256 signature (ASN.1 DER) of {@code data} with this key. */
  byte[] signature(byte[] data) {
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(key.privateKey());
      ecdsa.update(data);
      return ecdsa.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 signing failed", e);
    }
  }
}
