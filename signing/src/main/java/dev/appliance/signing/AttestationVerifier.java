package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.signing.internal.Dsse;
import dev.appliance.signing.internal.InTotoStatement;
import dev.appliance.signing.internal.Text;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the attestations of an image: every DSSE layer of the attestation manifests found, against
 * the keys given. Everything in them is untrusted: the envelope is checked against its digest, its
 * signature against each key before the statement inside is believed, and the statement must be
 * about the image's digest.
 */
public final class AttestationVerifier {
  /** An SBOM of a large image is a few MB; an envelope larger than this is not read. */
  public static final long MAX_ENVELOPE = 32L << 20;

  private AttestationVerifier() {}

  /**
   * One attestation and the verdict on it.
   *
   * @param predicateType what the statement says it is (from the annotation when unreadable)
   * @param envelope the envelope's digest
   * @param signer the fingerprint of the key whose signature verified, or null
   * @param intact the envelope matches its digest and holds an in-toto statement
   * @param verified signed by one of the keys, about this image, consistent
   * @param detail why not verified; empty when verified
   */
  public record Check(
      String predicateType,
      Digest envelope,
      String signer,
      boolean intact,
      boolean verified,
      String detail) {}

  /**
   * Checks every envelope in {@code manifests} (the same envelope found twice is reported once).
   */
  public static List<Check> check(
      List<SignatureManifest> manifests, List<ECPublicKey> keys, Digest image) {
    Map<Digest, Check> checks = new LinkedHashMap<>();
    for (SignatureManifest manifest : manifests) {
      for (Descriptor layer : manifest.manifest().layers()) {
        if (Attestations.ENVELOPE_MEDIA_TYPE.equals(layer.mediaType())) {
          Check check = check(manifest, layer, keys, image);
          checks.merge(layer.digest(), check, (a, b) -> a.verified() ? a : b);
        }
      }
    }
    return List.copyOf(checks.values());
  }

  private static Check check(
      SignatureManifest manifest, Descriptor layer, List<ECPublicKey> keys, Digest image) {
    String annotated =
        Text.shown(layer.annotations().getOrDefault(Attestations.PREDICATE_TYPE_ANNOTATION, "?"));
    Optional<Dsse> envelope;
    try {
      envelope = envelopeOf(manifest, layer);
    } catch (InvalidInputException e) {
      return corrupted(annotated, layer, e.getMessage());
    }
    if (envelope.isEmpty()) {
      return corrupted(annotated, layer, "envelope missing or not matching its digest");
    }
    Dsse dsse = envelope.get();
    String where = "attestation " + layer.digest();
    InTotoStatement statement;
    try {
      if (!InTotoStatement.PAYLOAD_TYPE.equals(dsse.payloadType())) {
        throw new InvalidInputException(
            where + ": payload type '" + Text.shown(dsse.payloadType()) + "' is not in-toto");
      }
      statement = InTotoStatement.parse(dsse.payload(), where);
    } catch (InvalidInputException e) {
      return corrupted(annotated, layer, e.getMessage());
    }
    String type = Text.shown(statement.predicateType());
    String signer = signerOf(dsse, keys);
    if (signer == null) {
      return notVerified(
          type,
          layer,
          null,
          keys.isEmpty()
              ? "no key to verify with"
              : "the signature does not verify with "
                  + (keys.size() == 1
                      ? "key " + PublicKeys.fingerprint(keys.get(0))
                      : "any key given")
                  + " (signed by another key, or the statement was altered)");
    }
    if (!statement.subjectDigests().contains(image)) {
      return notVerified(type, layer, signer, "the statement is about another image, not " + image);
    }
    if (!statement
        .predicateType()
        .equals(layer.annotations().get(Attestations.PREDICATE_TYPE_ANNOTATION))) {
      return notVerified(
          type,
          layer,
          signer,
          "the layer's predicateType annotation '" + annotated + "' is not the statement's");
    }
    return new Check(type, layer.digest(), signer, true, true, "");
  }

  /** An intact envelope that does not verify, and why. */
  private static Check notVerified(String type, Descriptor layer, String signer, String detail) {
    return new Check(type, layer.digest(), signer, true, false, detail);
  }

  private static Check corrupted(String type, Descriptor layer, String detail) {
    return new Check(type, layer.digest(), null, false, false, "corrupted: " + detail);
  }

  private static Optional<Dsse> envelopeOf(SignatureManifest manifest, Descriptor layer) {
    if (layer.size() > MAX_ENVELOPE) {
      return Optional.empty();
    }
    Optional<byte[]> bytes = manifest.blob(layer);
    if (bytes.isEmpty()
        || bytes.get().length != layer.size()
        || !Digest.sha256(bytes.get()).equals(layer.digest())) {
      return Optional.empty();
    }
    return Optional.of(Dsse.parse(bytes.get(), "attestation " + layer.digest()));
  }

  private static String signerOf(Dsse envelope, List<ECPublicKey> keys) {
    byte[] pae = envelope.pae();
    for (ECPublicKey key : keys) {
      for (byte[] signature : envelope.signatures()) {
        try {
          if (Ecdsa.verifies(key, pae, signature)) {
            return PublicKeys.fingerprint(key);
          }
        } catch (SignatureException e) {
          // Not a DER signature: it verifies with no key.
        }
      }
    }
    return null;
  }
}
