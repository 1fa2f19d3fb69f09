package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.signing.SignatureRefusal.Reason;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final SigningKey KEY = SigningKey.generate(RANDOM);
  private static final ImageReference IMAGE = ImageReference.parse("registry.example/ops/lamp:1.0");
  private static final Digest DIGEST = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
  private static final ImageReference BY_DIGEST =
      new ImageReference("registry.example", "ops/lamp", null, DIGEST);

  private static VerificationResult verify(
      SignatureManifest signature, ImageReference pulledAs, Digest digest) {
    return Verifier.verify(
        signature, KEY.publicKey(), ExpectedIdentity.repoDigestOrExact(pulledAs), digest);
  }

  private static Reason onlyRefusal(VerificationResult result) {
    assertFalse(result.isVerified(), "accepted: " + result.verified());
    assertEquals(1, result.refusals().size(), result.refusals().toString());
    return result.refusals().get(0).reason();
  }

  @Test
  void acceptsItsOwnSignatureAndSaysWhoSignedWhat() {
    VerificationResult result = verify(new Signer(KEY).sign(IMAGE, DIGEST), IMAGE, DIGEST);
    assertEquals(
        List.of(
            new VerifiedSignature(
                PublicKeys.fingerprint(KEY.publicKey()), IMAGE.toString(), DIGEST)),
        result.verified());
    assertTrue(
        verify(new Signer(KEY).sign(IMAGE, DIGEST), BY_DIGEST, DIGEST).isVerified(),
        "pulled by digest: any signed reference in the repository");
  }

  @Test
  void signatureManifestHasCosignsLayout() {
    SignatureManifest signature = new Signer(KEY).sign(IMAGE, DIGEST);
    Manifest manifest = signature.manifest();
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.mediaType());
    assertEquals(MediaTypes.OCI_CONFIG, manifest.config().mediaType());
    Descriptor layer = manifest.layers().get(0);
    assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.mediaType());
    assertTrue(layer.annotations().containsKey("dev.cosignproject.cosign/signature"));
    assertEquals("sha256-" + DIGEST.hex() + ".sig", SignatureManifest.tagFor(DIGEST));
    for (Descriptor d : List.of(manifest.config(), layer)) {
      assertEquals(
          d.digest(), Digest.sha256(signature.blob(d).orElseThrow()), "every blob is supplied");
    }
  }

  @Test
  void referrerFormNamesItsSubjectAndArtifactType() throws Exception {
    Descriptor subject = new Descriptor(MediaTypes.OCI_MANIFEST, DIGEST, 1234);
    SignatureManifest signature = new Signer(KEY).signAsReferrer(IMAGE, subject);
    var json = new ObjectMapper().readTree(signature.manifest().raw());
    assertEquals(
        "application/vnd.dev.cosign.artifact.sig.v1+json", json.path("artifactType").asText());
    assertEquals(DIGEST.toString(), json.path("subject").path("digest").asText());
    assertEquals(1234, json.path("subject").path("size").asLong());
    assertEquals(
        "application/vnd.oci.empty.v1+json", json.path("config").path("mediaType").asText());
    assertTrue(verify(signature, IMAGE, DIGEST).isVerified());
  }

  @Test
  void refusesASignatureByAnotherKey() {
    SignatureManifest other = new Signer(SigningKey.generate(RANDOM)).sign(IMAGE, DIGEST);
    VerificationResult result = verify(other, IMAGE, DIGEST);
    assertEquals(Reason.OTHER_KEY, onlyRefusal(result));
    assertTrue(result.refusals().get(0).detail().contains(PublicKeys.fingerprint(KEY.publicKey())));
  }

  @Test
  void refusesWhenTheManifestChangedAfterSigning() {
    Digest changed = Digest.sha256("another manifest".getBytes(StandardCharsets.UTF_8));
    VerificationResult result = verify(new Signer(KEY).sign(IMAGE, DIGEST), IMAGE, changed);
    assertEquals(Reason.DIGEST_MISMATCH, onlyRefusal(result));
    assertTrue(
        result
            .refusals()
            .get(0)
            .detail()
            .contains("signed manifest digest " + DIGEST + " is not the image's " + changed));
  }

  @Test
  void refusesAnIdentityOfAnotherRepository() {
    SignatureManifest signature =
        new Signer(KEY).sign(ImageReference.parse("registry.example/ops/snort:1.0"), DIGEST);
    VerificationResult result = verify(signature, IMAGE, DIGEST);
    assertEquals(Reason.IDENTITY_MISMATCH, onlyRefusal(result));
    assertTrue(
        result.refusals().get(0).detail().contains("'registry.example/ops/snort:1.0'"),
        result.refusals().toString());
    assertEquals(Reason.IDENTITY_MISMATCH, onlyRefusal(verify(signature, BY_DIGEST, DIGEST)));
  }

  @Test
  void refusesACorruptedPayloadBlob() {
    SignatureManifest signature = new Signer(KEY).sign(IMAGE, DIGEST);
    Descriptor layer = signature.manifest().layers().get(0);
    byte[] payload = signature.blob(layer).orElseThrow();
    payload[10] ^= 1;
    Map<Digest, byte[]> blobs = new HashMap<>(signature.blobs());
    blobs.put(layer.digest(), payload);
    assertEquals(
        Reason.CORRUPTED,
        onlyRefusal(verify(new SignatureManifest(signature.manifest(), blobs), IMAGE, DIGEST)));
  }

  @Test
  void refusesACorruptedSignatureAnnotation() throws Exception {
    SignatureManifest signature = new Signer(KEY).sign(IMAGE, DIGEST);
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(signature.manifest().raw());
    ((ObjectNode) json.path("layers").get(0).path("annotations"))
        .put(SignatureManifest.SIGNATURE_ANNOTATION, "bm90IGEgc2lnbmF0dXJl");
    Manifest corrupted = Manifest.parse(new ObjectMapper().writeValueAsBytes(json), "test");
    VerificationResult result =
        verify(new SignatureManifest(corrupted, signature.blobs()), IMAGE, DIGEST);
    assertEquals(Reason.CORRUPTED, onlyRefusal(result));
    assertTrue(
        result.refusals().get(0).detail().contains("not a DER ECDSA signature"),
        result.refusals().toString());
  }

  @Test
  void signaturesAccumulateInOneTagManifestAsCosignDoes() throws Exception {
    SigningKey second = SigningKey.generate(RANDOM);
    SignatureManifest both =
        new Signer(second).addTo(new Signer(KEY).sign(IMAGE, DIGEST), IMAGE, DIGEST);
    assertEquals(2, both.manifest().layers().size());
    var diffIds =
        new ObjectMapper()
            .readTree(both.blob(both.manifest().config()).orElseThrow())
            .path("rootfs")
            .path("diff_ids");
    assertEquals(both.manifest().layers().get(1).digest().toString(), diffIds.get(1).asText());
    assertTrue(verify(both, IMAGE, DIGEST).isVerified());
    assertTrue(
        Verifier.verify(both, second.publicKey(), ExpectedIdentity.repoDigestOrExact(IMAGE), DIGEST)
            .isVerified());
  }

  @Test
  void noSignatureIsUnsigned() {
    assertEquals(
        Reason.UNSIGNED,
        onlyRefusal(
            Verifier.verify(
                List.of(), KEY.publicKey(), ExpectedIdentity.repoDigestOrExact(IMAGE), DIGEST)));
  }

  @Test
  void oneGoodSignatureAmongBadOnesIsEnough() {
    SignatureManifest bad = new Signer(SigningKey.generate(RANDOM)).sign(IMAGE, DIGEST);
    SignatureManifest good = new Signer(KEY).sign(IMAGE, DIGEST);
    VerificationResult result =
        Verifier.verify(
            List.of(bad, good), KEY.publicKey(), ExpectedIdentity.repoDigestOrExact(IMAGE), DIGEST);
    assertTrue(result.isVerified());
    assertEquals(Reason.OTHER_KEY, result.refusals().get(0).reason());
  }
}
