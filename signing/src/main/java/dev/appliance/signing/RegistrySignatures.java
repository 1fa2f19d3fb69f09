package dev.appliance.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.RemoteRepository.RemoteManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signatures in a registry, read and written as cosign does: the {@code sha256-<hex>.sig} tag
 * always (cosign's readers and docker-registry 2.8 know only that), and an OCI 1.1 referrer too
 * where the registry has the referrers API. Fetched signatures are returned unchecked (the {@link
 * Verifier} checks them); fetching is bounded so that a hostile registry cannot make verification
 * read much.
 */
public final class RegistrySignatures implements SignatureSource, SignatureSink {
  /**
   * More signatures than this on one image are not read (a hostile registry could list thousands).
   */
  static final int MAX_SIGNATURES = 64;

  private static final int MAX_CONFIG = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RemoteRepository repository;

  public RegistrySignatures(RemoteRepository repository) {
    this.repository = repository;
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
        && repository.referrers(image.digest(), SignatureManifest.ARTIFACT_TYPE).isPresent()) {
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
    List<SignatureManifest> found = new ArrayList<>();
    Optional<byte[]> index = repository.referrers(manifestDigest, SignatureManifest.ARTIFACT_TYPE);
    if (index.isPresent()) {
      for (JsonNode entry : JSON.readTree(index.get()).path("manifests")) {
        if (found.size() >= MAX_SIGNATURES) {
          break;
        }
        // The artifactType filter is optional for registries: check it here as well.
        if (SignatureManifest.ARTIFACT_TYPE.equals(entry.path("artifactType").asText())) {
          Digest digest = Digest.parse(entry.path("digest").asText());
          repository.manifest(digest.toString()).ifPresent(m -> found.add(withBlobs(m)));
        }
      }
    }
    tagged(manifestDigest).ifPresent(found::add);
    return found;
  }

  private Optional<SignatureManifest> tagged(Digest image) {
    return repository.manifest(SignatureManifest.tagFor(image)).map(this::withBlobs);
  }

  private void store(String reference, SignatureManifest signature) {
    signature.blobs().forEach(repository::putBlob);
    Manifest manifest = signature.manifest();
    repository.putManifest(reference, manifest.raw(), manifest.mediaType());
  }

  /**
   * The manifest with the blobs the Verifier needs: the payload layers (those too large or
   * unreadable are left out, and the Verifier refuses them as corrupted).
   */
  private SignatureManifest withBlobs(RemoteManifest fetched) {
    Manifest manifest = Manifest.parse(fetched.body(), "signature manifest " + fetched.digest());
    Map<Digest, byte[]> blobs = new HashMap<>();
    int layers = 0;
    for (Descriptor layer : manifest.layers()) {
      if (++layers > MAX_SIGNATURES) {
        break;
      }
      if (SignatureManifest.PAYLOAD_MEDIA_TYPE.equals(layer.mediaType())
          && layer.size() <= Verifier.MAX_PAYLOAD) {
        try {
          blobs.put(layer.digest(), repository.blob(layer.digest(), layer.size()));
        } catch (ApplianceException e) {
          // Corrupted or missing in the registry: the Verifier reports the layer as corrupted.
        }
      }
    }
    if (manifest.config().size() <= MAX_CONFIG) {
      try {
        blobs.put(
            manifest.config().digest(),
            repository.blob(manifest.config().digest(), manifest.config().size()));
      } catch (ApplianceException e) {
        // The config is not needed to verify; appending (Signer.addTo) rewrites it.
      }
    }
    return new SignatureManifest(manifest, blobs);
  }
}
