package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Manifest;
import dev.appliance.registry.SigstoreRegistry;
import dev.appliance.registry.SigstoreSkopeo;
import dev.appliance.registry.TestImages;
import dev.appliance.store.ImageStore;
import java.io.IOException;
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
 * with sigstore ({@link SigstoreRegistry}: fails in CI when there is none, skipped elsewhere).
 * tests/ SkopeoSignedRunE2eTest boots such an image with {@code appliance run}.
 */
class SkopeoSignedImageTest {
  @TempDir Path dir;
  private SigstoreRegistry registry;
  private Path home;
  private Manifest app;

  @BeforeEach
  void start() throws IOException {
    registry = SigstoreRegistry.start(dir);
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
    String image = registry.image("lamp:1");
    SigstoreSkopeo.Result signed =
        registry.pushSigned(
            dir.resolve("release.key"),
            "pw",
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
    Path policy = registry.policyRequiring(dir.resolve("release.pub"));
    SigstoreSkopeo.Result skopeoPull = registry.pullUnderPolicy(policy, image);
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
    Path otherPolicy = registry.policyRequiring(dir.resolve("other.pub"));
    Path refusedHome = dir.resolve("refused");
    CliProcess.Run refused =
        cli.run(refusedHome, "pull", image, "--policy", otherPolicy.toString());
    assertEquals(2, refused.exit(), refused.err());
    assertTrue(
        refused.err().contains("other key") && refused.err().contains("nothing was stored"),
        refused.err());
    CliProcess.Run none = cli.run(refusedHome, "images", "--json");
    assertFalse(none.out().contains("lamp"), none.out());
  }
}
