package dev.appliance.signing;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.internal.Dsse;
import dev.appliance.signing.internal.InTotoStatement;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;

/**
 * Signs attestations the way {@code cosign attest} does: an in-toto v1 statement about the image's
 * digest, in a DSSE envelope signed (ECDSA-SHA256 over the envelope's pre-authentication encoding)
 * with the image's cosign key, as a layer of media type {@value Attestations#ENVELOPE_MEDIA_TYPE}
 * annotated with the predicate type.
 */
public final class Attester {
  private final Signer signer;

  public Attester(SigningKey key) {
    this.signer = new Signer(key);
  }

  public ECPublicKey publicKey() {
    return signer.publicKey();
  }

  /** One signed envelope and the layer descriptor naming it. */
  public record Envelope(Descriptor layer, byte[] content) {
    public Envelope {
      content = content.clone();
    }

    public String predicateType() {
      return layer.annotations().get(Attestations.PREDICATE_TYPE_ANNOTATION);
    }
  }

  /** The signed statement that {@code predicate} holds for {@code image}, named {@code named}. */
  public Envelope envelope(ImageReference named, Digest image, AttestationPredicate predicate) {
    byte[] statement =
        InTotoStatement.about(
            named.registry() + "/" + named.repository(),
            image,
            predicate.type(),
            predicate.document());
    byte[] signature = signer.signature(Dsse.pae(InTotoStatement.PAYLOAD_TYPE, statement));
    byte[] envelope =
        new Dsse(InTotoStatement.PAYLOAD_TYPE, statement, List.of(signature)).toJson();
    return new Envelope(
        new Descriptor(
            Attestations.ENVELOPE_MEDIA_TYPE,
            Digest.sha256(envelope),
            envelope.length,
            // cosign leaves the signature annotation empty on attestations: the envelope holds it.
            Map.of(
                SignatureManifest.SIGNATURE_ANNOTATION,
                "",
                Attestations.PREDICATE_TYPE_ANNOTATION,
                predicate.type())),
        envelope);
  }

  /** The envelope as an OCI 1.1 referrer of {@code subject}, typed by its predicate. */
  public static SignatureManifest asReferrer(Envelope envelope, Descriptor subject) {
    return CosignManifests.referrer(
        Attestations.artifactType(envelope.predicateType()),
        envelope.layer(),
        envelope.content(),
        subject);
  }
}
