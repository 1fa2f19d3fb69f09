package dev.appliance.runtime.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushing a rules bundle to a real docker-registry (no referrers API), read back with skopeo, an
 * independent client.
 */
class RulesBundlePushTest {
  @TempDir Path tmp;
  private RegistryServer registry;

  @BeforeEach
  void setUp() throws Exception {
    registry = RegistryServer.plain(tmp.resolve("registry"));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void pushesAnArtifactOfItsOwnTypePinnedByTheDigestItPrints() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("rules"));
    Files.writeString(
        dir.resolve("site.rules"),
        "alert http any any -> any any (msg:\"site\"; content:\"x\"; sid:1000200; rev:1;)\n");
    RulesBundle bundle = RulesBundle.read(List.of(dir));
    RulesBundlePush push = new RulesBundlePush(RegistryOptions.defaults(), TransferListener.NONE);

    RulesBundlePush.Result result = push.push(bundle, registry.host() + "/ids/rules:site");

    assertEquals(registry.host() + "/ids/rules@" + result.digest(), result.pinned());
    assertEquals(List.of("site.rules"), result.files());
    assertEquals(1, result.rules());
    Process skopeo =
        new ProcessBuilder(
                "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + result.pinned())
            .redirectErrorStream(true)
            .start();
    byte[] raw = skopeo.getInputStream().readAllBytes();
    assertEquals(0, skopeo.waitFor(), new String(raw));
    assertEquals(result.digest(), Digest.sha256(raw), "the registry serves the pushed bytes");
    JsonNode manifest = new ObjectMapper().readTree(raw);
    assertEquals(RulesBundleFormat.ARTIFACT_TYPE, manifest.path("artifactType").asText());
    assertEquals(1, manifest.path("layers").size());
    JsonNode layer = manifest.path("layers").get(0);
    assertEquals(RulesBundleFormat.LAYER_MEDIA_TYPE, layer.path("mediaType").asText());
    byte[] tar =
        RemoteRepository.open(
                RemoteRepository.parseReference(result.pinned(), "REF"),
                RegistryOptions.defaults(),
                TransferListener.NONE,
                false)
            .blob(Digest.parse(layer.path("digest").asText()), layer.path("size").asLong());
    assertArrayEquals(bundle.tar(), tar);

    assertEquals(
        result.digest(),
        push.push(RulesBundle.read(List.of(dir)), registry.host() + "/ids/rules:again").digest(),
        "the same files give the same digest");
  }

  @Test
  void aDigestIsNotWhereABundleIsPushedTo() throws Exception {
    Path file = tmp.resolve("a.rules");
    Files.writeString(file, "alert ip any any -> any any (sid:1000300;)\n");
    RulesBundlePush push = new RulesBundlePush(RegistryOptions.defaults(), TransferListener.NONE);
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                push.push(
                    RulesBundle.read(List.of(file)),
                    registry.host() + "/ids/rules@sha256:" + "0".repeat(64)));
    assertEquals(
        registry.host()
            + "/ids/rules@sha256:"
            + "0".repeat(64)
            + ": a rules bundle is pushed under a tag (its digest is printed)",
        e.getMessage());
  }
}
