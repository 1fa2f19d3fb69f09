package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.CraftedImage;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.Http;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.registry.SigstoreRegistry;
import dev.appliance.registry.SigstoreSkopeo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, the last check: an appliance signed by skopeo ({@code --sign-by-sigstore-private-key},
 * with a key {@code appliance key generate} wrote) boots with {@code appliance run} of its remote
 * reference under a policy requiring that key, and is refused, with nothing stored and no instance,
 * under a policy naming another key or once its tag moves to an unsigned image; {@code export
 * --kubevirt} of the pulled image refuses the other key too, from the signatures the pull kept.
 *
 * <p>Real parts throughout: the tiny-web appliance built by the real builder (as RunE2eTest boots
 * it), a real docker-registry, a skopeo with sigstore ({@link SigstoreRegistry}: fails in CI when
 * there is none, skipped elsewhere), the packaged CLI jar and a real engine.
 */
@EndToEnd
@Tag("slow")
class SkopeoSignedRunE2eTest {
  private static final Duration BOOT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSPHRASE = "skopeo signs with this";
  private static final String TAG = "tiny-web:0.1.0";

  /** Short: an instance's directory must fit a Unix socket path. */
  private static final String NAME = "s";

  private static Path keys;
  private static ApplianceCli builder;
  private static SigstoreRegistry registry;
  private static String image;
  private static ApplianceCli runner;

  @BeforeAll
  static void signWithSkopeo() throws Exception {
    Path dir = E2eEnvironment.freshDirectory("skopeo-signed");
    registry = SigstoreRegistry.start(dir); // first: skips before the build without a skopeo
    builder = ApplianceCli.forTest("sr-build").withEnv("APPLIANCE_KEY_PASSWORD", PASSPHRASE);
    SharedAppliance.TINY_WEB.build().copyInto(builder);
    keys = Files.createDirectories(dir.resolve("keys"));
    for (String name : new String[] {"release", "other"}) {
      builder
          .run("key", "generate", "--output-key-prefix", keys.resolve(name).toString())
          .assertSuccess();
    }
    image = registry.image(TAG);
    SigstoreSkopeo.Result signed =
        registry.pushSigned(
            keys.resolve("release.key"),
            PASSPHRASE,
            "oci:" + builder.dirs().store() + ":" + TAG,
            image);
    assertEquals(0, signed.exit(), signed.output());
  }

  @AfterAll
  static void stop() {
    if (runner != null) {
      runner.run("rm", "-f", NAME);
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void runBootsTheSkopeoSignedImageAndRefusesAnotherKeyOrAMovedTag() throws Exception {
    // Another key required: refused before anything is stored or any engine starts.
    assertRunRefused("sr-key", "other", "other key: ");

    // The signing key required: pulled, verified, booted and healthy.
    runner = ApplianceCli.forTest("sr-run");
    CliResult run = run(runner, "release").assertSuccess();
    assertTrue(run.stderr().contains("pulling " + image), run.stderr());
    assertTrue(run.stderr().contains("verified"), run.stderr());
    assertTrue(run.stderr().contains("is up on"), run.stderr());
    assertEquals("hi", Http.get(run.stdoutLines().get(0) + "greeting"));
    JsonNode instance = onlyInstance(runner);
    assertEquals(NAME, instance.get("name").asText());
    assertTrue(instance.get("healthy").asBoolean(), instance.toString());

    // export --kubevirt ships the pulled image on: checked against the signatures the pull kept.
    Path out = E2eEnvironment.freshDirectory("skopeo-signed-export");
    String disk = registry.image("disk:1");
    CliResult export =
        runner
            .run(
                "export",
                image,
                "--kubevirt",
                disk,
                "--policy",
                policy("other"),
                "-o",
                out.toString())
            .assertExit(2);
    assertTrue(
        export.stderr().contains("other key: ") && export.stderr().contains("nothing was exported"),
        export.stderr());
    assertEquals(0, files(out), "a refused export wrote files");
    assertEquals(404, manifestStatus(disk), "a refused export pushed a containerDisk");

    // The tag moved to an unsigned image: the old signature covers the old digest only.
    Path moved =
        CraftedImage.appliance("moved")
            .writeLayout(E2eEnvironment.freshDirectory("skopeo-signed-moved").resolve("layout"));
    SigstoreSkopeo.Result retagged = registry.push("oci:" + moved, image);
    assertEquals(0, retagged.exit(), retagged.output());
    assertRunRefused("sr-moved", "release", "unsigned: no cosign signature for ");
  }

  /**
   * {@code run} of the image in a fresh home under the policy requiring {@code key} is refused for
   * {@code reason} (exit 2) and leaves no image, blob or instance.
   */
  private static void assertRunRefused(String home, String key, String reason) throws IOException {
    ApplianceCli cli = ApplianceCli.forTest(home);
    CliResult refused = run(cli, key).assertExit(2);
    assertTrue(
        refused.stderr().contains(reason) && refused.stderr().contains("nothing was stored"),
        refused.stderr());
    assertEquals("[]", cli.run("images", "--json").assertSuccess().stdout().strip());
    assertEquals(0, files(cli.dirs().store().resolve("blobs")), "a refused image left blobs");
    assertEquals("[]", cli.run("ps", "--json").assertSuccess().stdout().strip());
    assertEquals(0, files(cli.dirs().instances()), "a refused run left an instance");
  }

  /** {@code run -d} of the image under the policy requiring {@code key}. */
  private static CliResult run(ApplianceCli cli, String key) throws IOException {
    return cli.run(BOOT, "run", "-d", "--name", NAME, "-p", "80", "--policy", policy(key), image);
  }

  /** The policy requiring a signature by {@code key}.pub for the registry's ops/ images. */
  private static String policy(String key) throws IOException {
    return registry.policyRequiring(keys.resolve(key + ".pub")).toString();
  }

  private static JsonNode onlyInstance(ApplianceCli cli) throws IOException {
    JsonNode all = JSON.readTree(cli.run("ps", "--json").assertSuccess().stdout());
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  /** Files below {@code dir}, however deep (0 when it does not exist). */
  private static long files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).count();
    }
  }

  private static int manifestStatus(String reference) throws Exception {
    int slash = reference.indexOf('/');
    int colon = reference.lastIndexOf(':');
    URI uri =
        URI.create(
            "http://"
                + reference.substring(0, slash)
                + "/v2"
                + reference.substring(slash, colon)
                + "/manifests/"
                + reference.substring(colon + 1));
    HttpRequest head =
        HttpRequest.newBuilder(uri)
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header("Accept", "application/vnd.oci.image.manifest.v1+json")
            .build();
    return HttpClient.newHttpClient()
        .send(head, HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
