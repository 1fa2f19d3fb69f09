package dev.appliance.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.store.ImageAttachments.Artifact;
import dev.appliance.store.ImageAttachments.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store keeps beside an image: artifacts read back byte for byte, a pull's new set
 * replacing the old, and everything of an image gc removed pruned with it.
 */
class ImageAttachmentsTest {
  @TempDir Path dir;

  @Test
  void keepsArtifactsAndRecordsAndPrunesThoseOfImagesNoLongerStored() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store"));
    Descriptor stored =
        store.putBlob("a manifest".getBytes(StandardCharsets.UTF_8), "application/json");
    Digest gone = Digest.sha256("removed by gc".getBytes(StandardCharsets.UTF_8));
    ImageAttachments attachments = new ImageAttachments(store);
    byte[] payload = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);
    Artifact artifact =
        new Artifact(
            "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8),
            Map.of(Digest.sha256(payload), payload));
    BuildProvenance record =
        new BuildProvenance(
            "r.yaml",
            Digest.sha256(payload),
            Map.of("r.yaml", Digest.sha256(payload)),
            null,
            false,
            null,
            null,
            "trixie",
            null,
            Map.of("trixie", Instant.EPOCH),
            "test",
            Instant.EPOCH);
    for (Digest image : List.of(stored.digest(), gone)) {
      attachments.put(image, Kind.ATTESTATIONS, artifact);
      attachments.putProvenance(image, record);
    }

    List<Artifact> read = attachments.list(stored.digest(), Kind.ATTESTATIONS);
    assertEquals(1, read.size());
    assertArrayEquals(artifact.manifest(), read.get(0).manifest());
    assertArrayEquals(payload, read.get(0).blobs().get(Digest.sha256(payload)));
    assertEquals(List.of(), attachments.list(stored.digest(), Kind.SIGNATURES));
    attachments.clear(stored.digest(), Kind.ATTESTATIONS);
    assertEquals(List.of(), attachments.list(stored.digest(), Kind.ATTESTATIONS));

    assertEquals(1, attachments.prune());
    assertTrue(attachments.provenance(stored.digest()).isPresent(), "its image is still stored");
    assertTrue(attachments.provenance(gone).isEmpty());
    assertFalse(Files.exists(store.root().resolve("attachments/sha256/" + gone.hex())));
  }
}
