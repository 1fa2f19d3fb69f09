package dev.appliance.signing;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageAttachments.Artifact;
import dev.appliance.store.ImageAttachments.Kind;
import dev.appliance.store.ImageStore;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The signatures and attestations the local store keeps with an image (from a pull or a signed
 * push), so that {@code inspect --attestations} and the policy checks of {@code export --kubevirt}
 * work offline. Only what checks out is kept; what is read back is checked again before use.
 */
public final class LocalAttachments implements SignatureSource {
  private final ImageAttachments attachments;

  public LocalAttachments(ImageStore store) {
    this.attachments = new ImageAttachments(store);
  }

  /** How many of each kind were kept. */
  public record Kept(int signatures, int attestations) {}

  /**
   * Replaces what the store kept for {@code image} with what was found in the registry, leaving out
   * what does not check out: with {@code keys} (the policy's for this image), signatures and
   * attestations that no key verifies; without, those whose payloads do not match their digests
   * (or, for attestations, that hold no readable in-toto statement).
   */
  public Kept keep(
      Digest image,
      List<SignatureManifest> signatures,
      List<SignatureManifest> attestations,
      List<ECPublicKey> keys) {
    List<SignatureManifest> goodSignatures = new ArrayList<>();
    for (SignatureManifest signature : signatures) {
      if (keys.isEmpty() ? intact(signature) : signedByOneOf(signature, keys, image)) {
        goodSignatures.add(signature);
      }
    }
    List<SignatureManifest> goodAttestations = new ArrayList<>();
    for (SignatureManifest attestation : attestations) {
      boolean kept =
          AttestationVerifier.check(List.of(attestation), keys, image).stream()
              .anyMatch(c -> keys.isEmpty() ? c.intact() : c.verified());
      if (kept) {
        goodAttestations.add(attestation);
      }
    }
    store(image, Kind.SIGNATURES, goodSignatures);
    store(image, Kind.ATTESTATIONS, goodAttestations);
    return new Kept(goodSignatures.size(), goodAttestations.size());
  }

  /** Adds what a signed push attached (without dropping what is there). */
  public void add(Digest image, Kind kind, SignatureManifest attached) {
    attachments.put(image, kind, artifact(attached));
  }

  public List<SignatureManifest> attestations(Digest image) {
    return read(image, Kind.ATTESTATIONS);
  }

  @Override
  public List<SignatureManifest> signaturesOf(ImageReference image, Digest manifestDigest) {
    return read(manifestDigest, Kind.SIGNATURES);
  }

  private void store(Digest image, Kind kind, List<SignatureManifest> kept) {
    attachments.clear(image, kind);
    kept.forEach(m -> attachments.put(image, kind, artifact(m)));
  }

  private List<SignatureManifest> read(Digest image, Kind kind) {
    return attachments.list(image, kind).stream()
        .map(
            a ->
                new SignatureManifest(
                    Manifest.parse(a.manifest(), "kept " + a.digest()), a.blobs()))
        .toList();
  }

  private static Artifact artifact(SignatureManifest manifest) {
    return new Artifact(manifest.manifest().raw(), manifest.blobs());
  }

  private static boolean intact(SignatureManifest signature) {
    return signature.manifest().layers().stream()
        .filter(l -> SignatureManifest.PAYLOAD_MEDIA_TYPE.equals(l.mediaType()))
        .allMatch(
            l ->
                signature
                    .blob(l)
                    .map(b -> b.length == l.size() && Digest.sha256(b).equals(l.digest()))
                    .orElse(false));
  }

  private static boolean signedByOneOf(
      SignatureManifest signature, List<ECPublicKey> keys, Digest image) {
    // The identity is checked when the policy is applied to the kept signatures.
    ExpectedIdentity any = new ExpectedIdentity("any reference", reference -> true);
    return keys.stream().anyMatch(k -> Verifier.verify(signature, k, any, image).isVerified());
  }
}
