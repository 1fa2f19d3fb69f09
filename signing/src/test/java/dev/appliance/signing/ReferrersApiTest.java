package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestImages;
import dev.appliance.registry.TransferListener;
import dev.appliance.store.ImageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The referrers path, against {@link ReferrersRegistry} (a stand-in: no registry with the OCI 1.1
 * referrers API is packaged for Debian 12). The tag-scheme fallback against the real
 * docker-registry is {@link RegistrySignaturesTest}.
 */
class ReferrersApiTest {
  @TempDir Path dir;
  private ReferrersRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = new ReferrersRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void aSignatureIsWrittenAsAReferrerAndReadBackFromTheReferrersApi() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store"));
    Manifest manifest =
        TestImages.image(store, "app:1", List.of(TestImages.layer(store, 1, 1_000)));
    String image = registry.host() + "/ops/lamp:1";
    RemoteRepository repository =
        RemoteRepository.open(
            ImageReference.parse(image), RegistryOptions.defaults(), TransferListener.NONE, true);
    repository.putManifest("1", manifest.raw(), manifest.mediaType());
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    SigningKey key = files.generate(Passphrase.of("pw".toCharArray()), false, new SecureRandom());
    RemoteSigning signing = new RemoteSigning(RegistryOptions.defaults(), TransferListener.NONE);

    RemoteSigning.SignResult signed = signing.sign(image, key);
    assertTrue(signed.stored().referrer().isPresent(), "the registry has the referrers API");
    Digest referrer = signed.stored().referrer().get();
    assertTrue(
        registry.requests.contains("PUT /v2/ops/lamp/manifests/" + referrer),
        registry.requests.toString());
    String index =
        new String(
            repository.referrers(manifest.digest(), SignatureManifest.ARTIFACT_TYPE).orElseThrow());
    assertTrue(
        index.contains(referrer.toString()) && index.contains(SignatureManifest.ARTIFACT_TYPE),
        index);

    // With the .sig tag gone, only the referrer can verify the image.
    registry.deleteTag(SignatureManifest.tagFor(manifest.digest()));
    RemoteSigning.Verification verified =
        signing.verifyWithKey(image, PublicKeys.read(files.publicKey()));
    assertTrue(verified.decision().accepted(), verified.decision().message());
    assertEquals(manifest.digest(), verified.decision().signers().get(0).manifestDigest());
    assertTrue(
        registry.requests.stream()
            .anyMatch(
                r ->
                    r.startsWith(
                        "GET /v2/ops/lamp/referrers/" + manifest.digest() + "?artifactType=")),
        registry.requests.toString());

    KeyPairFiles other = KeyPairFiles.forPrefix(dir.resolve("other"));
    other.generate(Passphrase.of("x".toCharArray()), false, new SecureRandom());
    assertFalse(
        signing.verifyWithKey(image, PublicKeys.read(other.publicKey())).decision().accepted());
  }

  @Test
  void attestationsAreWrittenAsReferrersTypedByPredicateAndReadBackFromTheReferrersApi()
      throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store"));
    Manifest manifest =
        TestImages.image(store, "app:1", List.of(TestImages.layer(store, 2, 1_000)));
    String image = registry.host() + "/ops/lamp:1";
    RemoteRepository repository =
        RemoteRepository.open(
            ImageReference.parse(image), RegistryOptions.defaults(), TransferListener.NONE, true);
    repository.putManifest("1", manifest.raw(), manifest.mediaType());
    SigningKey key = SigningKey.generate(new SecureRandom());
    AttestationPredicate sbom =
        AttestationPredicate.spdx(
            "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8), "app:1");

    RemoteSigning.AttestResult attested =
        new RemoteSigning(RegistryOptions.defaults(), TransferListener.NONE)
            .attest(image, key, digest -> List.of(sbom));
    assertEquals(1, attested.stored().referrers().size(), "the registry has the referrers API");
    Digest referrer = attested.stored().referrers().get(0);
    String index =
        new String(
            repository
                .referrers(manifest.digest(), "application/vnd.in-toto.spdx+dsse")
                .orElseThrow(),
            StandardCharsets.UTF_8);
    assertTrue(
        index.contains(referrer.toString())
            && index.contains("\"artifactType\":\"application/vnd.in-toto.spdx+dsse\""),
        index);

    // With the .att tag gone, the referrer alone carries the attestation.
    registry.deleteTag(Attestations.tagFor(manifest.digest()));
    List<AttestationVerifier.Check> checks =
        AttestationVerifier.check(
            new RegistryAttestations(repository).attestationsOf(manifest.digest()),
            List.of(key.publicKey()),
            manifest.digest());
    assertEquals(1, checks.size(), checks.toString());
    assertTrue(checks.get(0).verified(), checks.toString());
    assertEquals(AttestationPredicate.SPDX, checks.get(0).predicateType());
    assertEquals(PublicKeys.fingerprint(key.publicKey()), checks.get(0).signer());
  }
}
