package dev.appliance.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RemoteRepository;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Signatures in a registry, read and written as cosign does: the {@code sha256-<hex>.sig} tag
 * always (cosign's readers and docker-registry 2.8 know only that), and an OCI 1.1 referrer too
 * where the registry has the referrers API. Fetched signatures are returned unchecked (the {@link
 * Verifier} checks them); fetching is bounded so that a hostile registry cannot make verification
 * read much.
 */
public final class RegistrySignatures implements SignatureSource, SignatureSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryAttachments attached;

  public RegistrySignatures(RemoteRepository repository) {
    this.attached =
        new RegistryAttachments(
            repository, SignatureManifest.PAYLOAD_MEDIA_TYPE, Verifier.MAX_PAYLOAD);
  }

  /**
   * Where a signature went (when this key had already signed this name, nothing new was written).
   */
  public record Stored(String tag, Optional<Digest> referrer) {}

  /**
   * Signs {@code image} (the manifest the registry serves for it) naming {@code named}, appends to
   * the signatures already under the .sig tag, and adds a referrer where the registry has the
   * referrers API.
   */
  public Stored sign(Signer signer, ImageReference named, Descriptor image) throws IOException {
    Optional<SignatureManifest> existing = tagged(image.digest());
    // Signing again with the same key and name adds nothing: the signature already there is kept
    // (as cosign does).
    boolean alreadySigned =
        existing.isPresent()
            && Verifier.verify(
                    existing.get(),
                    signer.publicKey(),
                    ExpectedIdentity.exact(named),
                    image.digest())
                .isVerified();
    if (!alreadySigned) {
      store(
          SignatureManifest.tagFor(image.digest()),
          signer.addTo(existing.orElse(null), named, image.digest()));
    }
    Optional<Digest> referrer = Optional.empty();
    if (!alreadySigned
        && attached.hasReferrersApi(image.digest(), SignatureManifest.ARTIFACT_TYPE)) {
      SignatureManifest asReferrer = signer.signAsReferrer(named, image);
      store(asReferrer.manifest().digest().toString(), asReferrer);
      referrer = Optional.of(asReferrer.manifest().digest());
    }
    return new Stored(SignatureManifest.tagFor(image.digest()), referrer);
  }

  /**
   * Stores a prepared signature: a referrer (it has a subject) by its digest, else under the .sig
   * tag of the image's digest.
   */
  @Override
  public void store(ImageReference image, SignatureManifest signature) throws IOException {
    JsonNode subject = JSON.readTree(signature.manifest().raw()).path("subject");
    if (subject.isObject()) {
      store(signature.manifest().digest().toString(), signature);
    } else if (image.digest() != null) {
      store(SignatureManifest.tagFor(image.digest()), signature);
    } else {
      throw new IllegalArgumentException(
          "a tag-scheme signature needs the image's digest: " + image);
    }
  }

  @Override
  public List<SignatureManifest> signaturesOf(ImageReference image, Digest manifestDigest)
      throws IOException {
    return attached.find(
        manifestDigest,
        Set.of(SignatureManifest.ARTIFACT_TYPE),
        SignatureManifest.tagFor(manifestDigest));
  }

  private Optional<SignatureManifest> tagged(Digest image) {
    return attached.tagged(SignatureManifest.tagFor(image));
  }

  private void store(String reference, SignatureManifest signature) {
    attached.store(reference, signature);
  }
}
