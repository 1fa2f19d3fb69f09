package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.SigstoreSkopeo;
import dev.appliance.registry.TestImages;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, the skopeo-to-appliance direction as a user meets it: skopeo signs an image with a key
 * {@code appliance key generate} wrote, then {@code appliance verify} and {@code appliance pull}
 * accept it under the very policy.json skopeo itself enforces. Real docker-registry, real skopeo
 * with sigstore ({@link SigstoreSkopeo}: fails in CI when there is none, skipped elsewhere).
 */
class SkopeoSignedImageTest {
  @TempDir Path dir;
  private RegistryServer registry;
  private SigstoreSkopeo skopeo;
  private Path home;
  private Manifest app;

  @BeforeEach
  void start() throws IOException {
    skopeo = SigstoreSkopeo.locate();
    registry = RegistryServer.plain(dir.resolve("registry"));
    home = dir.resolve("home");
    ImageStore store = ImageStore.open(home.resolve("data/store"));
    app = TestImages.image(store, "app:1", List.of(TestImages.layer(store, 21, 20_000)));
  }

  @AfterEach
  void stop() {
    if (registry != null) { // null when locate() skipped the test
      registry.close();
    }
  }

  @Test
  void applianceVerifiesAndPullsWhatSkopeoSignedWithAnApplianceKey() throws Exception {
    SigningCli cli = new SigningCli(dir);
    CliProcess.Run generated =
        cli.run(home, "key", "generate", "--output-key-prefix", dir.resolve("release").toString());
    assertEquals(0, generated.exit(), generated.err());
    String image = registry.host() + "/ops/lamp:1";
    Path registriesD = SigstoreSkopeo.registriesD(dir, registry.host());
    SigstoreSkopeo.Result signed =
        skopeo.pushSigned(
            registriesD,
            dir.resolve("release.key"),
            Files.writeString(dir.resolve("passphrase"), "pw\n"),
            "oci:" + home.resolve("data/store") + ":app:1",
            image);
    assertEquals(0, signed.exit(), signed.output());

    CliProcess.Run verified =
        cli.run(home, "verify", image, "--key", dir.resolve("release.pub").toString());
    assertEquals(0, verified.exit(), verified.err());
    assertTrue(
        verified.out().startsWith("verified: " + image + " " + app.digest() + " signed by key "),
        verified.out());

    // One policy for both tools: skopeo accepts the image under it, and so does appliance pull.
    Path policy = cli.policyRequiring(registry.host(), dir.resolve("release.pub"));
    SigstoreSkopeo.Result skopeoPull = skopeo.pullUnderPolicy(registriesD, policy, image, dir);
    assertEquals(0, skopeoPull.exit(), skopeoPull.output());
    Path fresh = dir.resolve("fresh");
    CliProcess.Run pulled = cli.run(fresh, "pull", image, "--policy", policy.toString());
    assertEquals(0, pulled.exit(), pulled.err());
    assertTrue(pulled.err().contains("verified"), pulled.err());
    CliProcess.Run images = cli.run(fresh, "images");
    assertTrue(images.out().contains(app.digest().toString().substring(7, 19)), images.out());

    // And a policy naming a key skopeo did not sign with refuses the pull, storing nothing.
    CliProcess.Run other =
        cli.run(home, "key", "generate", "--output-key-prefix", dir.resolve("other").toString());
    assertEquals(0, other.exit(), other.err());
    Path otherPolicy = cli.policyRequiring(registry.host(), dir.resolve("other.pub"));
    Path refusedHome = dir.resolve("refused");
    CliProcess.Run refused =
        cli.run(refusedHome, "pull", image, "--policy", otherPolicy.toString());
    assertEquals(1, refused.exit(), refused.err());
    assertTrue(
        refused.err().contains("other key") && refused.err().contains("nothing was stored"),
        refused.err());
    CliProcess.Run none = cli.run(refusedHome, "images", "--json");
    assertFalse(none.out().contains("lamp"), none.out());
  }
}
