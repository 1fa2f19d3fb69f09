package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * skopeo (an independent client) reads what appliance pushes, and appliance pulls what skopeo
 * pushes.
 */
class SkopeoInteropTest extends PlainRegistryTest {
  private static byte[] skopeo(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("skopeo"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    assertEquals(0, p.waitFor(), "skopeo " + String.join(" ", args));
    return out.toByteArray();
  }

  @Test
  void skopeoReadsAndCopiesWhatAppliancePushed() throws Exception {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    Manifest manifest =
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 50, 80_000)));
    new ImagePusher(local, options(), TransferListener.NONE).push("app:1", remote("interop/app:1"));

    String remote = "docker://" + remote("interop/app:1");
    byte[] raw = skopeo("inspect", "--raw", "--tls-verify=false", remote);
    assertArrayEquals(manifest.raw(), raw);
    JsonNode inspect = new ObjectMapper().readTree(skopeo("inspect", "--tls-verify=false", remote));
    assertEquals(manifest.digest().toString(), inspect.path("Digest").asText());
    assertEquals("app", inspect.path("Labels").path("dev.appliance.name").asText());

    Path copy = dir.resolve("copy");
    skopeo("copy", "--quiet", "--src-tls-verify=false", remote, "oci:" + copy + ":app");
    JsonNode index = new ObjectMapper().readTree(copy.resolve("index.json").toFile());
    assertEquals(
        manifest.digest().toString(), index.path("manifests").get(0).path("digest").asText());
  }

  @Test
  void appliancePullsWhatSkopeoPushed() throws Exception {
    ImageStore source = ImageStore.open(dir.resolve("source"));
    TestImages.image(
        source,
        "app:2",
        List.of(TestImages.layer(source, 60, 90_000), TestImages.layer(source, 61, 10_000)));
    String remote = remote("interop/from-skopeo:2");
    skopeo(
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "oci:" + source.root() + ":app:2",
        "docker://" + remote);
    Digest registryDigest =
        Digest.sha256(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + remote));

    ImageStore target = ImageStore.open(dir.resolve("target"));
    PullResult pulled = new ImagePuller(target, options(), TransferListener.NONE).pull(remote);
    assertEquals(registryDigest, pulled.digest());
    StoredImage image = target.get(remote);
    assertEquals("app", image.metadata().name());
    assertEquals(2, image.layerFiles().size());
    for (Path layer : image.layerFiles()) {
      assertEquals(layer.getFileName().toString(), Digest.sha256(Files.readAllBytes(layer)).hex());
    }
  }
}
