package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestImages;
import dev.appliance.signing.PublicKeys;
import dev.appliance.store.BuildProvenance;
import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attestations as a user makes and reads them: push --sign-key attaches the SBOM and SLSA
 * provenance signed with the key, attest adds them for another key, a pull into a fresh home keeps
 * them, and inspect --attestations verifies them offline; a tampered one is reported as not
 * verified; export --kubevirt refuses an unsigned image under a policy requiring signatures.
 * Separate JVMs and a real docker-registry 2.8 (no referrers API: the .att tag scheme).
 */
class AttestationCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPDX = "https://spdx.dev/Document";
  private static final String SLSA = "https://slsa.dev/provenance/v1";

  @TempDir Path dir;
  private RegistryServer registry;
  private SigningCli cli;
  private Path home;
  private Manifest built;
  private Manifest unsigned;
  private BuildProvenance record;

  @BeforeEach
  void start() throws Exception {
    cli = new SigningCli(dir);
    registry = RegistryServer.plain(dir.resolve("registry"));
    home = dir.resolve("home");
    ImageStore store = ImageStore.open(home.resolve("data/store"));
    byte[] sbom =
        "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"app-1\",\"packages\":[{\"name\":\"apache2\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    built =
        TestImages.image(
            store,
            "app:1",
            List.of(
                TestImages.layer(store, 21, 20_000),
                TestImages.fileLayer(
                    store,
                    "usr/share/appliance/sbom.spdx.json",
                    sbom,
                    Map.of("dev.appliance.layer", "sbom"))));
    record =
        new BuildProvenance(
            "recipes/app/app.yaml",
            Digest.sha256("name: app".getBytes(StandardCharsets.UTF_8)),
            Map.of(
                "recipes/app/app.yaml",
                Digest.sha256("name: app".getBytes(StandardCharsets.UTF_8))),
            "0123456789abcdef0123456789abcdef01234567",
            false,
            "https://git.example/ops/recipes.git",
            Digest.sha256("lock".getBytes(StandardCharsets.UTF_8)),
            "trixie",
            "http://mirror.invalid/debian",
            Map.of("trixie", Instant.parse("2026-11-20T08:00:00Z")),
            "0.1.0-test",
            Instant.parse("2026-11-20T08:00:00Z"));
    new ImageAttachments(store).putProvenance(built.digest(), record);
    unsigned = TestImages.image(store, "app:2", List.of(TestImages.layer(store, 22, 20_000)));
    assertEquals(0, cli.run(home, "key", "generate", "--output-key-prefix", key("release")).exit());
    assertEquals(0, cli.run(home, "key", "generate", "--output-key-prefix", key("other")).exit());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void pushedAttestationsArePulledWithTheImageAndVerifiedOffline() throws Exception {
    String image = registry.host() + "/ops/app:1";
    CliProcess.Run push = cli.run(home, "push", "app:1", image, "--sign-key", key("release.key"));
    assertEquals(0, push.exit(), push.err());
    String att = "sha256-" + built.digest().hex() + ".att";
    assertTrue(
        push.err()
            .contains(
                "attested "
                    + image
                    + " ("
                    + built.digest()
                    + "): "
                    + SPDX
                    + ", "
                    + SLSA
                    + "; tag "
                    + att
                    + ", no referrers API"),
        push.err());

    // In the registry as cosign stores attestations: DSSE layers annotated with the predicate.
    RemoteRepository repository = SigningCli.repository(image);
    Manifest attached = Manifest.parse(repository.manifest(att).orElseThrow().body(), "att");
    assertEquals(2, attached.layers().size());
    Set<String> types = new TreeSet<>();
    for (var layer : attached.layers()) {
      assertEquals("application/vnd.dsse.envelope.v1+json", layer.mediaType());
      types.add(layer.annotations().get("predicateType"));
      JsonNode envelope = JSON.readTree(repository.blob(layer.digest(), layer.size()));
      assertEquals("application/vnd.in-toto+json", envelope.get("payloadType").asText());
      JsonNode statement =
          JSON.readTree(Base64.getDecoder().decode(envelope.get("payload").asText()));
      assertEquals("https://in-toto.io/Statement/v1", statement.get("_type").asText());
      assertEquals(
          built.digest().hex(), statement.at("/subject/0/digest/sha256").asText(), "subject");
      if (SLSA.equals(statement.get("predicateType").asText())) {
        JsonNode predicate = statement.get("predicate");
        assertEquals(
            record.recipeDigest().hex(),
            predicate.at("/buildDefinition/externalParameters/recipe/digest/sha256").asText());
        assertEquals(
            record.gitCommit(),
            predicate.at("/buildDefinition/externalParameters/recipe/git/commit").asText());
        assertEquals(
            record.lockFileDigest().hex(),
            predicate.at("/buildDefinition/externalParameters/lockFile/digest/sha256").asText());
        assertEquals(
            "2026-11-20T08:00:00Z",
            predicate.at("/buildDefinition/internalParameters/suiteReleases/trixie").asText());
        assertEquals(
            "https://appliance.invalid/builder@0.1.0-test",
            predicate.at("/runDetails/builder/id").asText());
      } else {
        assertEquals("apache2", statement.at("/predicate/packages/0/name").asText());
      }
    }
    assertEquals(Set.of(SPDX, SLSA), types);

    // Another key's attestations join them (attest, for an image already pushed).
    CliProcess.Run attest = cli.run(home, "attest", image, "--key", key("other.key"));
    assertEquals(0, attest.exit(), attest.err());
    assertTrue(attest.out().startsWith("attested " + image), attest.out());

    Path policy = policyRequiring("release.pub");
    Path fresh = dir.resolve("fresh");
    CliProcess.Run pull = cli.run(fresh, "pull", image, "--policy", policy.toString());
    assertEquals(0, pull.exit(), pull.err());
    // Offline from here on: inspect reads what the pull kept.
    registry.close();

    String release = fingerprint("release.pub");
    CliProcess.Run inspect =
        cli.run(fresh, "inspect", image, "--attestations", "--policy", policy.toString(), "--json");
    assertEquals(0, inspect.exit(), inspect.err());
    List<JsonNode> checks = list(inspect.out());
    assertEquals(4, checks.size(), inspect.out());
    List<String> verified = new ArrayList<>();
    for (JsonNode check : checks) {
      if (check.get("verified").asBoolean()) {
        assertEquals(release, check.get("signer").asText());
        verified.add(check.get("predicateType").asText());
      } else {
        assertTrue(check.get("signer").isNull(), check.toString());
        assertTrue(
            check.get("detail").asText().contains("does not verify with key " + release),
            check.toString());
      }
    }
    assertEquals(List.of(SLSA, SPDX), verified.stream().sorted().toList());

    CliProcess.Run human =
        cli.run(fresh, "inspect", image, "--attestations", "--key", key("other.pub"));
    assertEquals(0, human.exit(), human.err());
    String other = fingerprint("other.pub");
    assertTrue(human.out().contains(SPDX + "  verified  key " + other + "  sha256:"), human.out());
    assertTrue(human.out().contains(SLSA + "  NOT verified  key unknown  sha256:"), human.out());
  }

  @Test
  void aTamperedAttestationIsReportedAsNotVerified() throws Exception {
    String image = registry.host() + "/ops/tampered:1";
    assertEquals(0, cli.run(home, "push", "app:1", image, "--sign-key", key("release.key")).exit());
    RemoteRepository repository = SigningCli.repository(image);
    String att = "sha256-" + built.digest().hex() + ".att";
    ObjectNode manifest = (ObjectNode) JSON.readTree(repository.manifest(att).orElseThrow().body());
    for (JsonNode layer : manifest.get("layers")) {
      if (!SLSA.equals(layer.at("/annotations/predicateType").asText())) {
        continue;
      }
      // The statement changed after signing (another recipe digest), the signature kept.
      ObjectNode envelope =
          (ObjectNode)
              JSON.readTree(
                  repository.blob(
                      Digest.parse(layer.get("digest").asText()), layer.get("size").asLong()));
      String statement =
          new String(
              Base64.getDecoder().decode(envelope.get("payload").asText()), StandardCharsets.UTF_8);
      String altered = statement.replace(record.recipeDigest().hex(), "0".repeat(64));
      assertFalse(altered.equals(statement));
      envelope.put(
          "payload", Base64.getEncoder().encodeToString(altered.getBytes(StandardCharsets.UTF_8)));
      byte[] blob = JSON.writeValueAsBytes(envelope);
      repository.putBlob(Digest.sha256(blob), blob);
      ((ObjectNode) layer).put("digest", Digest.sha256(blob).toString());
      ((ObjectNode) layer).put("size", blob.length);
    }
    repository.putManifest(
        att, JSON.writeValueAsBytes(manifest), "application/vnd.oci.image.manifest.v1+json");

    Path fresh = dir.resolve("fresh");
    CliProcess.Run pull = cli.run(fresh, "pull", image);
    assertEquals(0, pull.exit(), pull.err());
    CliProcess.Run inspect =
        cli.run(fresh, "inspect", image, "--attestations", "--key", key("release.pub"), "--json");
    assertEquals(0, inspect.exit(), inspect.err());
    List<JsonNode> checks = list(inspect.out());
    assertEquals(2, checks.size(), inspect.out());
    for (JsonNode check : checks) {
      boolean slsa = SLSA.equals(check.get("predicateType").asText());
      assertEquals(!slsa, check.get("verified").asBoolean(), check.toString());
      if (slsa) {
        assertTrue(
            check.get("detail").asText().contains("the statement was altered"), check.toString());
      }
    }
  }

  @Test
  void exportKubevirtRefusesAnUnsignedImageUnderAPolicyRequiringSignatures() throws Exception {
    String image = registry.host() + "/ops/unsigned:2";
    assertEquals(0, cli.run(home, "push", "app:2", image).exit());
    Path fresh = dir.resolve("fresh");
    // No policy requiring signatures at pull time (the host's accepts anything).
    assertEquals(0, cli.run(fresh, "pull", image).exit());

    Path out = dir.resolve("out");
    String disk = registry.host() + "/ops/disk:1";
    CliProcess.Run export =
        cli.run(
            fresh,
            "export",
            image,
            "--kubevirt",
            disk,
            "--policy",
            policyRequiring("release.pub").toString(),
            "-o",
            out.toString());
    assertEquals(2, export.exit(), export.err());
    assertTrue(
        export.err().contains("unsigned: no cosign signature for " + unsigned.digest())
            && export.err().contains("nothing was exported"),
        export.err());
    assertFalse(Files.exists(out) && hasEntries(out), "a refused export wrote files");
    assertTrue(
        SigningCli.repository(disk).manifest("1").isEmpty(),
        "a refused export pushed a containerDisk");
  }

  private Path policyRequiring(String publicKey) throws IOException {
    return cli.policyRequiring(registry.host(), dir.resolve(publicKey));
  }

  private String key(String name) {
    return dir.resolve(name).toString();
  }

  private String fingerprint(String publicKey) {
    return PublicKeys.fingerprint(PublicKeys.read(dir.resolve(publicKey)));
  }

  private static List<JsonNode> list(String json) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    JSON.readTree(json).forEach(nodes::add);
    return nodes;
  }

  private static boolean hasEntries(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isPresent();
    }
  }
}
