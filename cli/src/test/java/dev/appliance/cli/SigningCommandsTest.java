package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestImages;
import dev.appliance.signing.Passphrase;
import dev.appliance.signing.PrivateKeys;
import dev.appliance.signing.RegistrySignatures;
import dev.appliance.signing.SignatureManifest;
import dev.appliance.signing.Signer;
import dev.appliance.signing.SigningKey;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * key generate, push --sign-key, sign, verify and pull --policy as a user runs them: separate JVMs,
 * a real docker-registry (tag scheme). A refused pull leaves the store without the image: no tag,
 * no blob of it, `store verify` clean.
 */
class SigningCommandsTest {
  @TempDir Path dir;
  private RegistryServer registry;
  private Path home;
  private Manifest signed;
  private Manifest unsigned;

  @BeforeEach
  void start() throws IOException {
    registry = RegistryServer.plain(dir.resolve("registry"));
    home = dir.resolve("home");
    ImageStore store = ImageStore.open(home.resolve("data/store"));
    signed = TestImages.image(store, "app:1", List.of(TestImages.layer(store, 11, 20_000)));
    unsigned = TestImages.image(store, "app:2", List.of(TestImages.layer(store, 12, 20_000)));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private CliProcess.Run appliance(Path home, String... args)
      throws IOException, InterruptedException {
    return new SigningCli(dir).run(home, args);
  }

  @Test
  void pushSignVerifyAndPullUnderAPolicy() throws Exception {
    generateKey("release");
    generateKey("other");
    String image = registry.host() + "/ops/lamp:1";

    CliProcess.Run push =
        appliance(
            home, "push", "app:1", image, "--sign-key", dir.resolve("release.key").toString());
    assertEquals(0, push.exit(), push.err());
    assertTrue(
        push.err().contains("signed " + image + " (" + signed.digest() + "): tag sha256-"),
        push.err());

    CliProcess.Run verified =
        appliance(home, "verify", image, "--key", dir.resolve("release.pub").toString());
    assertEquals(0, verified.exit(), verified.err());
    assertTrue(
        verified.out().startsWith("verified: " + image + " " + signed.digest() + " signed by key "),
        verified.out());

    CliProcess.Run otherKey =
        appliance(home, "verify", image, "--key", dir.resolve("other.pub").toString());
    assertEquals(1, otherKey.exit(), otherKey.err());
    assertTrue(otherKey.err().contains("refused: other key"), otherKey.err());

    // sign on its own, with the other key: appended to the .sig manifest, both verify.
    CliProcess.Run sign =
        appliance(home, "sign", image, "--key", dir.resolve("other.key").toString());
    assertEquals(0, sign.exit(), sign.err());
    assertEquals(
        0, appliance(home, "verify", image, "--key", dir.resolve("other.pub").toString()).exit());
    assertEquals(
        0, appliance(home, "verify", image, "--key", dir.resolve("release.pub").toString()).exit());

    Path policy = new SigningCli(dir).policyRequiring(registry.host(), dir.resolve("release.pub"));
    Path fresh = dir.resolve("fresh");
    CliProcess.Run pulled = appliance(fresh, "pull", image, "--policy", policy.toString());
    assertEquals(0, pulled.exit(), pulled.err());
    assertTrue(pulled.err().contains("verified"), pulled.err());

    // The same policy from $XDG_CONFIG_HOME/containers/policy.json, for an unsigned image.
    Files.createDirectories(dir.resolve("xdg/containers"));
    Files.copy(policy, dir.resolve("xdg/containers/policy.json"));
    String bare = registry.host() + "/ops/lamp:2";
    assertEquals(0, appliance(home, "push", "app:2", bare).exit());
    Path refusedHome = dir.resolve("refused");
    CliProcess.Run refused = appliance(refusedHome, "pull", bare);
    assertEquals(2, refused.exit(), refused.err());
    assertTrue(
        refused.err().contains("unsigned: no cosign signature for " + unsigned.digest()),
        refused.err());
    assertNothingStored(refusedHome);

    CliProcess.Run verifyRefused = appliance(home, "verify", bare);
    assertEquals(1, verifyRefused.exit());
    assertTrue(verifyRefused.err().contains("refused: unsigned"), verifyRefused.err());
  }

  /**
   * A self-updating export with --update-key writes only a root-slot artifact signed by its key:
   * push --root-slot --sign-key signs the artifact as well as the image.
   */
  @Test
  void pushWithRootSlotAndSignKeySignsTheRootSlotArtifactToo() throws Exception {
    generateKey("release");
    String image = registry.host() + "/ops/upd:1";
    CliProcess.Run push =
        appliance(
            home,
            "push",
            "app:1",
            image,
            "--root-slot",
            "--sign-key",
            dir.resolve("release.key").toString());
    assertEquals(0, push.exit(), push.err());
    Matcher artifact =
        Pattern.compile("root-slot image: sha256-[0-9a-f]{64}\\.rootfs \\((sha256:[0-9a-f]{64})\\)")
            .matcher(push.err());
    assertTrue(artifact.find(), push.err());
    CliProcess.Run verified =
        appliance(
            home,
            "verify",
            registry.host() + "/ops/upd@" + artifact.group(1),
            "--key",
            dir.resolve("release.pub").toString());
    assertEquals(0, verified.exit(), verified.err());
  }

  @Test
  void runRefusesAnImageSignedByAnotherKeyBeforeAnyEngineStarts() throws Exception {
    generateKey("release");
    generateKey("other");
    String image = registry.host() + "/ops/lamp:1";
    assertEquals(
        0,
        appliance(home, "push", "app:1", image, "--sign-key", dir.resolve("other.key").toString())
            .exit());
    Path policy = new SigningCli(dir).policyRequiring(registry.host(), dir.resolve("release.pub"));

    Path runHome = dir.resolve("run");
    CliProcess.Run run = appliance(runHome, "run", "--policy", policy.toString(), image);
    assertEquals(2, run.exit(), run.err());
    assertTrue(
        run.err().contains("other key: ") && run.err().contains("does not verify with key"),
        run.err());
    assertFalse(run.err().contains("starting"), run.err());
    assertNothingStored(runHome);
    Path instances = runHome.resolve("state/instances");
    if (Files.isDirectory(instances)) {
      try (Stream<Path> entries = Files.list(instances)) {
        assertEquals(List.of(), entries.toList(), "a refused run left an instance");
      }
    }
  }

  /**
   * The refusals that need a doctored registry: the signature of the old digest presented for a
   * retagged image, an identity naming another repository, a corrupted payload blob. Each pull is
   * refused with its reason and stores nothing.
   */
  @Test
  void pullRefusesRetaggedOtherIdentityAndCorruptedSignatures() throws Exception {
    generateKey("release");
    SigningKey key =
        PrivateKeys.read(dir.resolve("release.key"), Passphrase.of("pw".toCharArray()));
    Path policy = new SigningCli(dir).policyRequiring(registry.host(), dir.resolve("release.pub"));

    String retagged = registry.host() + "/ops/retagged:1";
    assertEquals(
        0,
        appliance(
                home,
                "push",
                "app:1",
                retagged,
                "--sign-key",
                dir.resolve("release.key").toString())
            .exit());
    assertEquals(0, appliance(home, "push", "app:2", retagged).exit());
    RemoteRepository retaggedRepo = repository(retagged);
    RemoteRepository.RemoteManifest oldSignature =
        retaggedRepo.manifest(SignatureManifest.tagFor(signed.digest())).orElseThrow();
    retaggedRepo.putManifest(
        SignatureManifest.tagFor(unsigned.digest()), oldSignature.body(), oldSignature.mediaType());
    assertPullRefused(retagged, policy, "the image changed after signing");

    String identity = registry.host() + "/ops/identity:1";
    assertEquals(0, appliance(home, "push", "app:1", identity).exit());
    RemoteRepository identityRepo = repository(identity);
    new RegistrySignatures(identityRepo)
        .sign(
            new Signer(key),
            ImageReference.parse(registry.host() + "/ops/other:1"),
            identityRepo.manifest("1").orElseThrow().descriptor());
    assertPullRefused(
        identity, policy, "signed identity '" + registry.host() + "/ops/other:1' does not match");

    String corrupted = registry.host() + "/ops/corrupted:1";
    assertEquals(
        0,
        appliance(
                home,
                "push",
                "app:1",
                corrupted,
                "--sign-key",
                dir.resolve("release.key").toString())
            .exit());
    Manifest sig =
        Manifest.parse(
            repository(corrupted)
                .manifest(SignatureManifest.tagFor(signed.digest()))
                .orElseThrow()
                .body(),
            "sig");
    Path payload = registry.blobFile(sig.layers().get(0).digest().toString());
    byte[] bytes = Files.readAllBytes(payload);
    bytes[bytes.length / 2] ^= 1;
    Files.write(payload, bytes);
    assertPullRefused(corrupted, policy, "corrupted: ");
  }

  private void assertPullRefused(String image, Path policy, String reason) throws Exception {
    Path fresh = dir.resolve("pull-" + image.replaceAll("[^a-z0-9]", "-"));
    CliProcess.Run pull = appliance(fresh, "pull", image, "--policy", policy.toString());
    assertEquals(2, pull.exit(), pull.err());
    assertTrue(
        pull.err().contains(reason) && pull.err().contains("nothing was stored"), pull.err());
    assertNothingStored(fresh);
  }

  /** {@code appliance key generate} into {@code dir/PREFIX.key} and {@code .pub}. */
  private void generateKey(String prefix) throws Exception {
    CliProcess.Run generated =
        appliance(home, "key", "generate", "--output-key-prefix", dir.resolve(prefix).toString());
    assertEquals(0, generated.exit(), generated.err());
  }

  private static RemoteRepository repository(String image) {
    return SigningCli.repository(image);
  }

  @Test
  void badInputExitsTwo() throws Exception {
    generateKey("release");
    String image = registry.host() + "/ops/lamp:1";
    assertEquals(0, appliance(home, "push", "app:1", image).exit());
    assertEquals(
        2, appliance(home, "verify", image, "--key", dir.resolve("missing.pub").toString()).exit());
    assertEquals(
        2, appliance(home, "sign", image, "--key", dir.resolve("missing.key").toString()).exit());
    CliProcess.Run noSuchImage =
        appliance(
            home,
            "sign",
            registry.host() + "/ops/none:1",
            "--key",
            dir.resolve("release.key").toString());
    assertEquals(2, noSuchImage.exit(), noSuchImage.err());
    assertTrue(noSuchImage.err().contains("no such image"), noSuchImage.err());
  }

  private void assertNothingStored(Path home) throws Exception {
    CliProcess.Run images = appliance(home, "images", "--json");
    assertEquals(0, images.exit(), images.err());
    assertFalse(images.out().contains("lamp"), images.out());
    Path blobs = home.resolve("data/store/blobs/sha256");
    if (Files.isDirectory(blobs)) {
      try (Stream<Path> files = Files.list(blobs)) {
        assertEquals(List.of(), files.toList(), "a refused pull stored blobs");
      }
    }
    CliProcess.Run verify = appliance(home, "store", "verify");
    assertEquals(0, verify.exit(), verify.out() + verify.err());
  }
}
