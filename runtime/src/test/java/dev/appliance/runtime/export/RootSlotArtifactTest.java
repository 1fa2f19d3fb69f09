package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.Debugfs;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageLayers;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root-slot artifact in a real docker-registry, read back with skopeo and plain HTTP as the
 * guest's updater reads it: found by the tag derived from the image digest, bound to that digest,
 * its blob the gzip of the root filesystem export assembles shrunk to its smallest (same UUID and
 * files, checked clean), its annotations what the guest checks the written slot against.
 */
class RootSlotArtifactTest {
  @TempDir Path tmp;

  @Test
  void pushedArtifactIsFoundFromTheImageDigestAndHoldsTheRootDisk() throws Exception {
    ImageLayers image =
        new ImageLayers(
            "web:1.0",
            "sha256:" + "5e".repeat(32),
            List.of(ExportTest.standInLayer(tmp.resolve("layer.tar.gz"))));
    Digest imageDigest = Digest.parse(image.digest());
    DiskAssembler disks = new DiskAssembler(tmp.resolve("disks"));
    try (RegistryServer registry = RegistryServer.plain(tmp.resolve("registry"))) {
      Path work = Files.createDirectories(tmp.resolve("work"));
      Digest pushed =
          new RootSlotArtifact(disks, RegistryOptions.defaults(), new TransferListener() {})
              .push(
                  image,
                  ExportTest.METADATA,
                  ImageReference.parse(registry.host() + "/ops/web:1.0"),
                  imageDigest,
                  work);

      String tag = "sha256-" + "5e".repeat(32) + ".rootfs";
      assertEquals(tag, RootSlotArtifact.tag(imageDigest));
      String raw =
          ExportTest.run(
              "skopeo",
              "inspect",
              "--raw",
              "--tls-verify=false",
              "docker://" + registry.host() + "/ops/web:" + tag);
      assertEquals(pushed, Digest.sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      JsonNode manifest = new ObjectMapper().readTree(raw);
      assertEquals(RootSlotArtifact.ARTIFACT_TYPE, manifest.get("artifactType").asText());
      JsonNode annotations = manifest.get("annotations");
      assertEquals(image.digest(), annotations.get("dev.appliance.image.digest").asText());
      assertEquals("http 80 /healthz 200 120", annotations.get("dev.appliance.health").asText());
      JsonNode layer = manifest.get("layers").get(0);
      assertEquals(RootSlotArtifact.LAYER_TYPE, layer.get("mediaType").asText());

      HttpResponse<InputStream> blob =
          registry.get(
              "/v2/ops/web/blobs/" + layer.get("digest").asText(),
              null,
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, blob.statusCode());
      Path gz = tmp.resolve("rootfs.gz");
      try (InputStream in = blob.body()) {
        Files.copy(in, gz);
      }
      assertEquals(layer.get("digest").asText(), sha256(Files.newInputStream(gz)));
      assertEquals(layer.get("size").asLong(), Files.size(gz));
      Path rootFs = disks.assemble(image, ExportTest.METADATA.diskBytes());
      assertTrue(Files.size(gz) < Files.size(rootFs) / 10, "compressed: " + Files.size(gz));
      Path slot = tmp.resolve("slot.ext4");
      try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
        Files.copy(in, slot);
      }
      assertEquals(
          annotations.get("dev.appliance.rootfs.digest").asText(),
          sha256(Files.newInputStream(slot)),
          "the annotation has the digest the guest reads the slot back against");
      assertEquals(
          Long.toString(Files.size(slot)), annotations.get("dev.appliance.rootfs.size").asText());
      assertTrue(
          Files.size(slot) < Files.size(rootFs) / 2,
          "shrunk: " + Files.size(slot) + " of " + Files.size(rootFs));
      Debugfs fs = new Debugfs(slot);
      assertEquals(0, fs.fsck().exitCode(), "a clean filesystem");
      assertEquals(
          new Debugfs(rootFs).superblock("Filesystem UUID"),
          fs.superblock("Filesystem UUID"),
          "the root filesystem export assembles, not another one");
      assertEquals("web\n", fs.cat("/etc/hostname"));
    }
  }

  private static String sha256(InputStream stream) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = stream) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }
}
