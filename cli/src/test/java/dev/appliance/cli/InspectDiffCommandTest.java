package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.builder.LayerBlob;
import dev.appliance.builder.LayerWriter;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code appliance inspect} and {@code appliance diff} as a user runs them (a separate JVM with its
 * own APPLIANCE_HOME), on images laid out as the builder lays them out: layers written by
 * LayerWriter, annotated, the SBOM in its own top layer. (Building real images needs root and
 * mmdebstrap: ImageBuilderTest.)
 */
class InspectDiffCommandTest {
  @TempDir Path dir;

  private CliProcess.Run appliance(String... args) throws IOException, InterruptedException {
    return CliProcess.run(dir.resolve("home"), args);
  }

  private Descriptor layer(ImageStore store, Path tree, String name) throws IOException {
    try (BlobWriter blob = store.newBlob()) {
      LayerBlob written = new LayerWriter(1_700_000_000L, 1).write(tree, blob, n -> {});
      Descriptor d = blob.commit(MediaTypes.OCI_LAYER_GZIP, written.digest());
      return d.withAnnotations(Map.of("dev.appliance.layer", name));
    }
  }

  private void image(ImageStore store, String tag, String motd) throws IOException {
    Path tree = Files.createDirectories(dir.resolve(tag.replace(':', '-')).resolve("etc"));
    Files.writeString(tree.resolve("motd"), motd);
    Path sbomTree =
        Files.createDirectories(dir.resolve(tag.replace(':', '-') + "-sbom/usr/share/appliance"));
    Files.writeString(sbomTree.resolve("sbom.spdx.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
    List<Descriptor> layers =
        List.of(
            layer(store, tree.getParent(), "base debian-trixie"),
            layer(store, sbomTree.getParent().getParent().getParent(), "sbom"));
    ApplianceMetadata metadata =
        new ApplianceMetadata(
            "web",
            "1.0",
            List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
            null,
            256,
            1,
            1L << 30,
            new ApplianceMetadata.Kernels(null, null, "/usr/bin/linux.uml"),
            "",
            List.of());
    List<dev.appliance.oci.Digest> diffIds = new ArrayList<>();
    for (Descriptor d : layers) {
      try (var in = new java.util.zip.GZIPInputStream(store.openBlob(d.digest()))) {
        diffIds.add(dev.appliance.oci.Digest.sha256(in.readAllBytes()));
      }
    }
    ImageConfig config =
        ImageConfig.create(
            Instant.ofEpochSecond(1_700_000_000L), metadata.toLabels(), diffIds, List.of());
    Manifest manifest =
        Manifest.create(
            config.descriptor(), layers, Map.of("org.opencontainers.image.revision", "0123abcd"));
    store.tag(tag, store.putImage(config, manifest));
  }

  @Test
  void inspectShowsLayersMetadataProvenanceAndTheSbom() throws Exception {
    image(ImageStore.open(dir.resolve("home/data/store")), "web:1.0", "hello\n");

    CliProcess.Run json = appliance("inspect", "web:1.0", "--json");
    assertEquals(0, json.exit(), json.err());
    JsonNode info = new ObjectMapper().readTree(json.out());
    assertEquals("base debian-trixie", info.get("layers").get(0).get("name").asText());
    assertEquals("sbom", info.get("layers").get(1).get("name").asText());
    assertEquals("web", info.get("labels").get("dev.appliance.name").asText());
    assertEquals(
        "0123abcd", info.get("provenance").get("org.opencontainers.image.revision").asText());

    CliProcess.Run text = appliance("inspect", "web:1.0");
    assertTrue(
        text.out().contains("base debian-trixie") && text.out().contains("dev.appliance.kernels"),
        text.out());

    CliProcess.Run sbom = appliance("inspect", "web:1.0", "--sbom");
    assertEquals("{\"spdxVersion\":\"SPDX-2.3\"}", sbom.out().trim());

    CliProcess.Run missing = appliance("inspect", "nope:1");
    assertEquals(2, missing.exit(), missing.err());
  }

  @Test
  void diffListsChangedPathsAndExitsOneWhenImagesDiffer() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("home/data/store"));
    image(store, "web:1.0", "hello\n");
    image(store, "web:2.0", "changed\n");

    CliProcess.Run differ = appliance("diff", "web:1.0", "web:2.0");
    assertEquals(1, differ.exit(), differ.err());
    assertEquals("M /etc/motd  (content)\n", differ.out());

    CliProcess.Run same = appliance("diff", "web:1.0", "web:1.0", "--json");
    assertEquals(0, same.exit(), same.err());
    assertEquals("[]", same.out().trim());
  }
}
