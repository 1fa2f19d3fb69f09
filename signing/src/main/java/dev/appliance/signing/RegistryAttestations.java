package dev.appliance.signing;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RemoteRepository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Attestations in a registry, stored as signatures are ({@link RegistryAttachments}): the {@code
 * sha256-<hex>.att} tag always, one manifest holding every attestation of the image as cosign keeps
 * them, and one OCI 1.1 referrer per attestation where the registry has the referrers API.
 */
public final class RegistryAttestations {
  private final RegistryAttachments attached;

  public RegistryAttestations(RemoteRepository repository) {
    this.attached =
        new RegistryAttachments(
            repository, Attestations.ENVELOPE_MEDIA_TYPE, AttestationVerifier.MAX_ENVELOPE);
  }

  /** Where the attestations went. */
  public record Stored(String tag, List<Digest> referrers) {
    public Stored {
      referrers = List.copyOf(referrers);
    }
  }

  /**
   * Signs each predicate about {@code image} (the manifest the registry serves) and attaches it. An
   * attestation of the same predicate type this key signed before is replaced (as {@code cosign
   * attest --replace}); those of other keys and types are kept.
   */
  public Stored attest(
      Attester attester,
      ImageReference named,
      Descriptor image,
      List<AttestationPredicate> predicates)
      throws IOException {
    String tag = Attestations.tagFor(image.digest());
    List<Attester.Envelope> envelopes = new ArrayList<>();
    for (AttestationPredicate predicate : predicates) {
      envelopes.add(attester.envelope(named, image.digest(), predicate));
    }
    Set<String> types = new HashSet<>();
    envelopes.forEach(e -> types.add(e.predicateType()));
    Optional<SignatureManifest> existing = attached.tagged(tag);
    List<Descriptor> layers = new ArrayList<>();
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    if (existing.isPresent()) {
      Set<Digest> replaced = new HashSet<>();
      for (AttestationVerifier.Check check :
          AttestationVerifier.check(
              List.of(existing.get()), List.of(attester.publicKey()), image.digest())) {
        if (check.verified() && types.contains(check.predicateType())) {
          replaced.add(check.envelope());
        }
      }
      existing.get().manifest().layers().stream()
          .filter(layer -> !replaced.contains(layer.digest()))
          .forEach(layers::add);
      blobs.putAll(existing.get().blobs());
    }
    for (Attester.Envelope envelope : envelopes) {
      layers.add(envelope.layer());
      blobs.put(envelope.layer().digest(), envelope.content());
    }
    attached.store(tag, CosignManifests.tagged(layers, blobs));
    List<Digest> referrers = new ArrayList<>();
    if (attached.hasReferrersApi(image.digest(), Attestations.OTHER_ARTIFACT_TYPE)) {
      for (Attester.Envelope envelope : envelopes) {
        SignatureManifest referrer = Attester.asReferrer(envelope, image);
        attached.store(referrer.manifest().digest().toString(), referrer);
        referrers.add(referrer.manifest().digest());
      }
    }
    return new Stored(tag, referrers);
  }

  /** The attestation manifests of {@code image}: its referrers, then the .att tag; unchecked. */
  public List<SignatureManifest> attestationsOf(Digest image) throws IOException {
    Set<String> types = new LinkedHashSet<>(Attestations.ARTIFACT_TYPES.values());
    types.add(Attestations.OTHER_ARTIFACT_TYPE);
    return attached.find(image, types, Attestations.tagFor(image));
  }
}
