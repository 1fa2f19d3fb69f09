package dev.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
  @TempDir Path dir;

  private Descriptor storeImage(ImageStore store, String tag, String... layerContents)
      throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (String content : layerContents) {
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      layers.add(store.putBlob(bytes, MediaTypes.OCI_LAYER_TAR));
      diffIds.add(Digest.sha256(bytes));
    }
    ImageConfig config =
        ImageConfig.create(Instant.EPOCH, Map.of("dev.appliance.name", tag), diffIds, List.of());
    Manifest manifest = Manifest.create(config.descriptor(), layers, Map.of());
    Descriptor d = store.putImage(config, manifest);
    store.tag(tag, d);
    return d;
  }

  @Test
  void tagsResolveToTheStoredImageByNameDigestAndPrefix() throws IOException {
    ImageStore store = ImageStore.open(dir);
    Descriptor d = storeImage(store, "lamp:1.0.0", "base", "top");

    StoredImage byTag = store.get("lamp:1.0.0");
    assertEquals(d.digest(), byTag.manifest().digest());
    assertEquals(2, byTag.layerFiles().size());
    assertEquals("base", Files.readString(byTag.layerFiles().get(0)));
    assertEquals(d.digest(), store.get(d.digest().toString()).manifest().digest());
    assertEquals(d.digest(), store.get(d.digest().hex().substring(0, 8)).manifest().digest());
    assertTrue(store.find("lamp:2.0.0").isEmpty());
    InvalidInputException missing =
        assertThrows(InvalidInputException.class, () -> store.get("nope:1"));
    assertTrue(missing.getMessage().contains("nope:1"), missing.getMessage());
  }

  @Test
  void aNameWithoutTagMeansLatest() throws IOException {
    ImageStore store = ImageStore.open(dir);
    Descriptor d = storeImage(store, "web", "x");
    assertEquals("web:latest", store.tags().get(0).name());
    assertEquals(d.digest(), store.get("web:latest").manifest().digest());
  }

  @Test
  void aBlobWhoseContentDoesNotMatchItsDigestNeverEntersTheStore() throws IOException {
    ImageStore store = ImageStore.open(dir);
    Digest claimed = Digest.sha256("something else".getBytes());
    try (BlobWriter writer = store.newBlob()) {
      writer.write("truncated".getBytes());
      assertThrows(
          ApplianceException.class, () -> writer.commit(MediaTypes.OCI_LAYER_GZIP, claimed));
    }
    assertFalse(store.hasBlob(claimed));
    assertFalse(store.hasBlob(Digest.sha256("truncated".getBytes())));
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void anAbandonedWriteLeavesNothingBehind() throws IOException {
    ImageStore store = ImageStore.open(dir);
    try (BlobWriter writer = store.newBlob()) {
      writer.write(new byte[1000]);
    }
    try (var files = Files.list(dir.resolve("blobs/sha256"))) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void aBlobFlushedToDiskWhileItIsWrittenIsStoredWhole() throws Exception {
    ImageStore store = ImageStore.open(dir);
    // Two and a half flush intervals: flushes run in the background while writing goes on.
    byte[] chunk = new byte[256 << 10];
    long chunks = (EarlyWriteback.INTERVAL * 5 / 2) / chunk.length;
    java.security.MessageDigest expected = Digest.newSha256();
    Descriptor stored;
    try (BlobWriter writer = store.newBlob()) {
      for (int i = 0; i < chunks; i++) {
        java.util.Arrays.fill(chunk, (byte) i);
        writer.write(chunk);
        expected.update(chunk);
      }
      stored = writer.commit(MediaTypes.OCI_LAYER_TAR, Digest.fromSha256(expected.digest()));
    }
    assertEquals(chunks * chunk.length, stored.size());
    assertEquals(stored.size(), Files.size(store.blobPath(stored.digest())));
    assertTrue(store.hasIntactBlob(stored));

    // Abandoned while a flush may still be running: nothing is left, in the store or beside it.
    try (BlobWriter writer = store.newBlob()) {
      for (int i = 0; i < chunks; i++) {
        writer.write(chunk);
      }
    }
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, files.count(), "no temporary file left behind");
    }
    try (var files = Files.list(dir.resolve("blobs/sha256"))) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void gcRemovesOnlyWhatNoTagReaches() throws IOException {
    ImageStore store = ImageStore.open(dir);
    Descriptor lamp = storeImage(store, "lamp:1", "shared-base", "lamp-top");
    storeImage(store, "snort:1", "shared-base", "snort-top");
    Files.write(dir.resolve("tmp/leftover.part"), new byte[10]);

    assertTrue(store.untag("snort:1"));
    ImageStore.GcResult result = store.gc();

    assertEquals(4, result.blobsRemoved(), "snort's top layer, config, manifest and the leftover");
    StoredImage remaining = store.get("lamp:1");
    assertEquals(lamp.digest(), remaining.manifest().digest());
    assertTrue(store.hasBlob(Digest.sha256("shared-base".getBytes())));
    assertFalse(store.hasBlob(Digest.sha256("snort-top".getBytes())));
  }

  @Test
  void concurrentTaggingFromManyThreadsLosesNoTag() throws Exception {
    ImageStore store = ImageStore.open(dir);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Descriptor>> futures = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                ImageStore own = ImageStore.open(dir);
                try (AutoCloseable ignored = own.lockForWrite()) {
                  return storeImage(own, "img" + n + ":1", "layer-" + n);
                }
              }));
    }
    for (Future<Descriptor> f : futures) {
      f.get();
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(24, store.tags().size());
  }

  @Test
  void skopeoReadsTheStoreAsAnOciLayout() throws Exception {
    ImageStore store = ImageStore.open(dir);
    Descriptor d = storeImage(store, "lamp:1.0.0", "base");
    Process p =
        new ProcessBuilder("skopeo", "inspect", "--raw", "oci:" + dir + ":lamp:1.0.0")
            .redirectErrorStream(true)
            .start();
    byte[] raw = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(raw));
    assertEquals(d.digest(), Digest.sha256(raw), "skopeo sees the exact manifest bytes");
  }
}
