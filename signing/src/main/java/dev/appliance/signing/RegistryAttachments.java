package dev.appliance.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.RemoteRepository.RemoteManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The storage cosign uses for what it attaches to an image, signatures and attestations alike: a
 * manifest under a tag derived from the image's digest ({@code sha256-<hex>.sig}, {@code .att}),
 * and OCI 1.1 referrers where the registry has the referrers API. Fetching is bounded so that a
 * hostile registry cannot make verification read much; what is fetched is returned unchecked.
 *
 * @param payloadMediaType the layers whose blobs are fetched
 * @param maxPayload larger payload layers are not fetched (the verifiers refuse them)
 */
record RegistryAttachments(RemoteRepository repository, String payloadMediaType, long maxPayload) {
  /** More attached manifests, or layers in one, than this are not read. */
  static final int MAX_ATTACHED = 64;

  private static final int MAX_CONFIG = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The manifest under {@code tag}, with its payload blobs. */
  Optional<SignatureManifest> tagged(String tag) {
    return repository.manifest(tag).map(this::withBlobs);
  }

  /** Whether the registry answers the referrers API for {@code subject}. */
  boolean hasReferrersApi(Digest subject, String artifactType) {
    return repository.referrers(subject, artifactType).isPresent();
  }

  /**
   * The referrers of {@code subject} of the given artifact types (empty without a referrers API),
   * then the manifest under {@code tag}.
   */
  List<SignatureManifest> find(Digest subject, Set<String> artifactTypes, String tag)
      throws IOException {
    List<SignatureManifest> found = new ArrayList<>();
    for (String artifactType : artifactTypes) {
      Optional<byte[]> index = repository.referrers(subject, artifactType);
      if (index.isEmpty()) {
        break;
      }
      for (JsonNode entry : JSON.readTree(index.get()).path("manifests")) {
        if (found.size() >= MAX_ATTACHED) {
          break;
        }
        // The artifactType filter is optional for registries: check it here as well.
        if (artifactType.equals(entry.path("artifactType").asText())) {
          Digest digest = Digest.parse(entry.path("digest").asText());
          repository.manifest(digest.toString()).ifPresent(m -> found.add(withBlobs(m)));
        }
      }
    }
    tagged(tag).ifPresent(found::add);
    return found;
  }

  /** Stores a manifest and its blobs under {@code reference} (a tag or the manifest's digest). */
  void store(String reference, SignatureManifest attached) {
    attached.blobs().forEach(repository::putBlob);
    Manifest manifest = attached.manifest();
    repository.putManifest(reference, manifest.raw(), manifest.mediaType());
  }

  /**
   * The manifest with the blobs the verifiers need: the payload layers (those too large or
   * unreadable are left out, and the verifiers refuse them as corrupted).
   */
  private SignatureManifest withBlobs(RemoteManifest fetched) {
    Manifest manifest = Manifest.parse(fetched.body(), "signature manifest " + fetched.digest());
    Map<Digest, byte[]> blobs = new HashMap<>();
    int layers = 0;
    for (Descriptor layer : manifest.layers()) {
      if (++layers > MAX_ATTACHED) {
        break;
      }
      if (payloadMediaType.equals(layer.mediaType()) && layer.size() <= maxPayload) {
        try {
          blobs.put(layer.digest(), repository.blob(layer.digest(), layer.size()));
        } catch (ApplianceException e) {
          // Corrupted or missing in the registry: the verifier reports the layer as corrupted.
        }
      }
    }
    if (manifest.config().size() <= MAX_CONFIG) {
      try {
        blobs.put(
            manifest.config().digest(),
            repository.blob(manifest.config().digest(), manifest.config().size()));
      } catch (ApplianceException e) {
        // The config is not needed to verify; appending rewrites it.
      }
    }
    return new SignatureManifest(manifest, blobs);
  }
}
