package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.ImagePusher;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestImages;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.SignatureRefusal.Reason;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.TrustPolicy;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing and verification through the appliance registry client against a real docker-registry 2.8
 * (no referrers API: the .sig tag scheme), the refusals a policy requiring sigstoreSigned must
 * make, each with its reason.
 */
class RegistrySignaturesTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path dir;
  private RegistryServer registry;
  private ImageStore store;
  private String image;
  private RemoteSigning signing;
  private SigningKey release;
  private Path releasePub;

  @BeforeEach
  void start() throws IOException {
    registry = RegistryServer.plain(dir.resolve("registry"));
    store = ImageStore.open(dir.resolve("store"));
    TestImages.image(store, "app:1", List.of(TestImages.layer(store, 1, 4_000)));
    TestImages.image(store, "app:2", List.of(TestImages.layer(store, 2, 4_000)));
    image = registry.host() + "/ops/lamp:1";
    signing = new RemoteSigning(RegistryOptions.defaults(), TransferListener.NONE);
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    release = files.generate(Passphrase.of("pw".toCharArray()), false, RANDOM);
    releasePub = files.publicKey();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void signThenVerifyUnderTheTagSchemeAndAppendRatherThanReplace() throws Exception {
    Digest digest = push("app:1", image);
    RemoteSigning.SignResult signed = signing.sign(image, release);
    assertEquals(digest, signed.digest());
    assertEquals(SignatureManifest.tagFor(digest), signed.stored().tag());
    assertTrue(signed.stored().referrer().isEmpty(), "docker-registry 2.8 has no referrers API");

    RemoteSigning.Verification verified = signing.verifyWithKey(image, PublicKeys.read(releasePub));
    assertTrue(verified.decision().accepted(), verified.decision().message());
    VerifiedSignature signer = verified.decision().signers().get(0);
    assertEquals(image, signer.signedReference());
    assertEquals(digest, signer.manifestDigest());
    assertEquals(PublicKeys.fingerprint(release.publicKey()), signer.keyFingerprint());

    // A second signer is added to the .sig manifest; the first signature still verifies.
    KeyPairFiles otherFiles = KeyPairFiles.forPrefix(dir.resolve("other"));
    SigningKey other = otherFiles.generate(Passphrase.of("x".toCharArray()), false, RANDOM);
    signing.sign(image, other);
    Manifest sig =
        Manifest.parse(
            repository().manifest(SignatureManifest.tagFor(digest)).orElseThrow().body(), "sig");
    assertEquals(2, sig.layers().size());
    // Signing again with a key that already signed this name adds no duplicate.
    signing.sign(image, release);
    assertEquals(
        sig,
        Manifest.parse(
            repository().manifest(SignatureManifest.tagFor(digest)).orElseThrow().body(), "sig"));
    assertTrue(signing.verifyWithKey(image, PublicKeys.read(releasePub)).decision().accepted());
    assertTrue(
        signing
            .verifyWithKey(image, PublicKeys.read(otherFiles.publicKey()))
            .decision()
            .accepted());
  }

  @Test
  void policyRefusesAnUnsignedImage() throws Exception {
    push("app:1", image);
    assertRefused(Reason.UNSIGNED, "no cosign signature");
  }

  @Test
  void policyRefusesASignatureByAnotherKey() throws Exception {
    push("app:1", image);
    SigningKey other =
        KeyPairFiles.forPrefix(dir.resolve("other"))
            .generate(Passphrase.of("x".toCharArray()), false, RANDOM);
    signing.sign(image, other);
    assertRefused(Reason.OTHER_KEY, PublicKeys.fingerprint(release.publicKey()));
  }

  @Test
  void policyRefusesAnImageChangedAfterSigning() throws Exception {
    Digest signedDigest = push("app:1", image);
    signing.sign(image, release);
    // The tag is moved to another manifest and the old signature is presented for it.
    Digest changed = push("app:2", image);
    RemoteRepository repository = repository();
    RemoteRepository.RemoteManifest oldSignature =
        repository.manifest(SignatureManifest.tagFor(signedDigest)).orElseThrow();
    repository.putManifest(
        SignatureManifest.tagFor(changed), oldSignature.body(), oldSignature.mediaType());
    assertRefused(Reason.DIGEST_MISMATCH, signedDigest.toString());
  }

  @Test
  void policyRefusesAnIdentityNamingAnotherRepository() throws Exception {
    Digest digest = push("app:1", image);
    RemoteRepository repository = repository();
    new RegistrySignatures(repository)
        .sign(
            new Signer(release),
            ImageReference.parse(registry.host() + "/ops/other:1"),
            repository.manifest(digest.toString()).orElseThrow().descriptor());
    assertRefused(Reason.IDENTITY_MISMATCH, "ops/other");
  }

  @Test
  void policyRefusesACorruptedSignatureBlob() throws Exception {
    Digest digest = push("app:1", image);
    signing.sign(image, release);
    Manifest sig =
        Manifest.parse(
            repository().manifest(SignatureManifest.tagFor(digest)).orElseThrow().body(), "sig");
    Path payload = registry.blobFile(sig.layers().get(0).digest().toString());
    byte[] bytes = Files.readAllBytes(payload);
    bytes[bytes.length / 2] ^= 1;
    Files.write(payload, bytes);
    assertRefused(Reason.CORRUPTED, "payload");
  }

  private void assertRefused(Reason reason, String named) throws IOException {
    RemoteSigning.Verification result = signing.verifyWithPolicy(image, policy());
    PolicyDecision decision = result.decision();
    assertFalse(decision.accepted(), decision.message());
    assertEquals(reason, decision.refusals().get(0).reason(), decision.message());
    assertTrue(decision.message().contains(named), decision.message());
  }

  private TrustPolicy policy() throws IOException {
    return TrustPolicy.read(
        Files.writeString(
            dir.resolve("policy.json"),
            "{\"default\":[{\"type\":\"reject\"}],"
                + "\"transports\":{\"docker\":{\""
                + registry.host()
                + "/ops\":[{\"type\":\"sigstoreSigned\","
                + "\"keyPath\":\""
                + releasePub
                + "\",\"signedIdentity\":{\"type\":\"matchRepoDigestOrExact\"}}]}}}"));
  }

  private RemoteRepository repository() {
    return RemoteRepository.open(
        ImageReference.parse(image), RegistryOptions.defaults(), TransferListener.NONE, true);
  }

  private Digest push(String local, String remote) {
    return new ImagePusher(store, RegistryOptions.defaults(), TransferListener.NONE)
        .push(local, remote)
        .digest();
  }
}
