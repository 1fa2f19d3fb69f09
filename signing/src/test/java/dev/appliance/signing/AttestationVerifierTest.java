package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each way an attestation fails, with its reason: another key, another image, a layer announcing
 * another predicate than it holds, a corrupted envelope, no key at all; and the one way it passes.
 */
class AttestationVerifierTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SigningKey key = SigningKey.generate(RANDOM);
  private final Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private final Attester.Envelope envelope =
      new Attester(key)
          .envelope(
              ImageReference.parse("registry.example/ops/lamp:1"),
              image,
              AttestationPredicate.spdx(
                  "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8), "lamp:1"));

  private SignatureManifest attached(Descriptor layer, byte[] content) {
    return CosignManifests.tagged(List.of(layer), Map.of(layer.digest(), content));
  }

  private AttestationVerifier.Check check(SignatureManifest manifest, List<SigningKey> keys) {
    List<AttestationVerifier.Check> checks =
        AttestationVerifier.check(
            List.of(manifest), keys.stream().map(SigningKey::publicKey).toList(), image);
    assertEquals(1, checks.size());
    return checks.get(0);
  }

  @Test
  void verifiedBySigningKeyAboutThisImage() {
    AttestationVerifier.Check check =
        check(attached(envelope.layer(), envelope.content()), List.of(key));
    assertTrue(check.verified(), check.detail());
    assertEquals(PublicKeys.fingerprint(key.publicKey()), check.signer());
    assertEquals(AttestationPredicate.SPDX, check.predicateType());
    assertEquals(envelope.layer().digest(), check.envelope());
  }

  @Test
  void anotherKeyOrNoKeyIsNotVerified() {
    SigningKey other = SigningKey.generate(RANDOM);
    AttestationVerifier.Check byOther =
        check(attached(envelope.layer(), envelope.content()), List.of(other));
    assertFalse(byOther.verified());
    assertTrue(byOther.intact());
    assertNull(byOther.signer());
    assertTrue(
        byOther
            .detail()
            .contains("does not verify with key " + PublicKeys.fingerprint(other.publicKey())),
        byOther.detail());
    AttestationVerifier.Check noKey =
        check(attached(envelope.layer(), envelope.content()), List.of());
    assertFalse(noKey.verified());
    assertEquals("no key to verify with", noKey.detail());
  }

  @Test
  void aStatementAboutAnotherImageIsNotVerified() {
    List<AttestationVerifier.Check> checks =
        AttestationVerifier.check(
            List.of(attached(envelope.layer(), envelope.content())),
            List.of(key.publicKey()),
            Digest.sha256("another image".getBytes(StandardCharsets.UTF_8)));
    assertFalse(checks.get(0).verified());
    assertTrue(checks.get(0).detail().contains("about another image"), checks.get(0).detail());
  }

  @Test
  void aLayerAnnouncingAnotherPredicateIsNotVerified() {
    Descriptor relabelled =
        new Descriptor(
            envelope.layer().mediaType(),
            envelope.layer().digest(),
            envelope.layer().size(),
            Map.of(Attestations.PREDICATE_TYPE_ANNOTATION, AttestationPredicate.SLSA_PROVENANCE));
    AttestationVerifier.Check check = check(attached(relabelled, envelope.content()), List.of(key));
    assertFalse(check.verified());
    assertTrue(check.detail().contains("predicateType annotation"), check.detail());
  }

  @Test
  void aCorruptedEnvelopeIsReportedCorrupted() {
    byte[] damaged = envelope.content();
    damaged[damaged.length / 2] ^= 1;
    AttestationVerifier.Check check = check(attached(envelope.layer(), damaged), List.of(key));
    assertFalse(check.verified());
    assertFalse(check.intact());
    assertTrue(check.detail().startsWith("corrupted: "), check.detail());

    byte[] notJson = "not a DSSE envelope".getBytes(StandardCharsets.UTF_8);
    Descriptor layer =
        new Descriptor(
            Attestations.ENVELOPE_MEDIA_TYPE,
            Digest.sha256(notJson),
            notJson.length,
            envelope.layer().annotations());
    AttestationVerifier.Check unreadable = check(attached(layer, notJson), List.of(key));
    assertFalse(unreadable.intact());
    assertTrue(unreadable.detail().contains("not a DSSE envelope"), unreadable.detail());
  }
}
