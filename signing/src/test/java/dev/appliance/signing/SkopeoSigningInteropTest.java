package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.SigstoreRegistry;
import dev.appliance.registry.SigstoreSkopeo.Result;
import dev.appliance.registry.TestImages;
import dev.appliance.signing.SignatureRefusal.Reason;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.PolicyEvaluator;
import dev.appliance.signing.policy.TrustPolicy;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both directions against real parts: skopeo signs with a key appliance generated and appliance
 * verifies; appliance signs and skopeo verifies under a containers-policy.json. The registry is a
 * real docker-registry (tag scheme: it has no referrers API); the registry is reached by plain HTTP
 * calls in {@link RegistryApi}, not by the appliance registry client.
 *
 * <p>The skopeo must have sigstore, which Debian 12's 1.9.3 has not: {@link SigstoreRegistry} finds
 * one (CI runs Debian 13's skopeo 1.18 that {@code scripts/skopeo-sigstore} provides) and fails or
 * skips these tests when there is none.
 */
class SkopeoSigningInteropTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path dir;
  private SigstoreRegistry registry;
  private RegistryApi api;
  private ImageStore store;
  private KeyPairFiles release;
  private String image;

  @BeforeEach
  void start() throws IOException {
    registry = SigstoreRegistry.start(dir);
    api = new RegistryApi(registry.host());
    store = ImageStore.open(dir.resolve("store"));
    TestImages.image(store, "app:1", List.of(TestImages.layer(store, 1, 4_000)));
    TestImages.image(store, "app:2", List.of(TestImages.layer(store, 2, 4_000)));
    release = KeyPairFiles.forPrefix(dir.resolve("release"));
    image = registry.image("lamp:1");
  }

  @AfterEach
  void stop() {
    if (registry != null) { // null when locate() skipped the test
      registry.close();
    }
  }

  @Test
  void applianceVerifiesWhatSkopeoSignedWithAnApplianceKey() throws Exception {
    release.generate(Passphrase.of("correct horse".toCharArray()), false, RANDOM);

    Result signed =
        registry.pushSigned(
            release.privateKey(), "correct horse", "oci:" + store.root() + ":app:1", image);
    assertEquals(0, signed.exit(), signed.output());

    Digest digest = Digest.sha256(api.manifest("ops/lamp", "1"));
    SignatureManifest signature = api.signatureOf("ops/lamp", digest);
    VerificationResult result =
        Verifier.verify(
            signature,
            PublicKeys.read(release.publicKey()),
            ExpectedIdentity.repoDigestOrExact(ImageReference.parse(image)),
            digest);
    assertTrue(result.isVerified(), result.refusals().toString());
    assertEquals(image, result.verified().get(0).signedReference());
    assertEquals(digest, result.verified().get(0).manifestDigest());

    PolicyDecision accepted =
        new PolicyEvaluator(policyFor(release.publicKey()))
            .evaluate(ImageReference.parse(image), digest, (ref, d) -> List.of(signature));
    assertEquals(PolicyDecision.Verdict.VERIFIED, accepted.verdict(), accepted.message());

    KeyPairFiles other = KeyPairFiles.forPrefix(dir.resolve("other"));
    other.generate(Passphrase.of("x".toCharArray()), false, RANDOM);
    PolicyDecision refused =
        new PolicyEvaluator(policyFor(other.publicKey()))
            .evaluate(ImageReference.parse(image), digest, List.of(signature));
    assertEquals(PolicyDecision.Verdict.REFUSED, refused.verdict());
    assertEquals(Reason.OTHER_KEY, refused.refusals().get(0).reason());
  }

  @Test
  void skopeoVerifiesWhatApplianceSigned() throws Exception {
    SigningKey key = generate(release);
    Digest digest = push("app:1", image);
    api.put(
        "ops/lamp",
        new Signer(key).sign(ImageReference.parse(image), digest),
        SignatureManifest.tagFor(digest));

    Path policy = registry.policyRequiring(release.publicKey());
    Result verified = registry.pullUnderPolicy(policy, image);
    assertEquals(0, verified.exit(), "skopeo refused appliance's signature: " + verified.output());

    KeyPairFiles other = KeyPairFiles.forPrefix(dir.resolve("other"));
    generate(other);
    Result otherKey = registry.pullUnderPolicy(registry.policyRequiring(other.publicKey()), image);
    assertNotEquals(0, otherKey.exit(), "skopeo accepted a signature by another key");
    assertTrue(
        otherKey.output().contains("cryptographic signature verification failed"),
        otherKey.output());
  }

  @Test
  void skopeoRefusesASignatureOfAnotherDigest() throws Exception {
    SigningKey key = generate(release);
    Digest signedDigest = push("app:1", image);
    SignatureManifest signature = new Signer(key).sign(ImageReference.parse(image), signedDigest);
    // The tag now points to another manifest, and the old signature is presented for it.
    Digest changed = push("app:2", image);
    api.put("ops/lamp", signature, SignatureManifest.tagFor(changed));

    Path policy = registry.policyRequiring(release.publicKey());
    Result refused = registry.pullUnderPolicy(policy, image);
    assertNotEquals(0, refused.exit(), "skopeo accepted a signature of another digest");
    assertTrue(
        refused.output().contains("Signature for digest " + signedDigest + " does not match"),
        refused.output());

    PolicyDecision decision =
        new PolicyEvaluator(TrustPolicy.read(policy))
            .evaluate(
                ImageReference.parse(image),
                changed,
                List.of(api.signatureOf("ops/lamp", changed)));
    assertEquals(Reason.DIGEST_MISMATCH, decision.refusals().get(0).reason(), decision.message());
  }

  private static SigningKey generate(KeyPairFiles files) {
    return files.generate(Passphrase.of("pw".toCharArray()), false, RANDOM);
  }

  private Digest push(String tag, String image) throws Exception {
    Result pushed = registry.push("oci:" + store.root() + ":" + tag, image);
    assertEquals(0, pushed.exit(), pushed.output());
    return Digest.sha256(api.manifest("ops/lamp", image.substring(image.lastIndexOf(':') + 1)));
  }

  private TrustPolicy policyFor(Path publicKey) throws IOException {
    return TrustPolicy.read(registry.policyRequiring(publicKey));
  }
}
