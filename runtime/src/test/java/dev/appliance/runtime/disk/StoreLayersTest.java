package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.registry.TestImages;
import dev.appliance.store.DamagedBlobException;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk assembly reads a store's layers checked against their digests: a damaged layer is never made
 * into a disk.
 */
class StoreLayersTest {
  @TempDir Path tmp;

  private StoredImage image(ImageStore store) throws IOException {
    TestImages.image(
        store,
        "web:1",
        List.of(TestImages.layer(store, 11, 100_000), TestImages.layer(store, 12, 50_000)));
    return store.get("web:1");
  }

  @Test
  void anIntactImageAssemblesAndADamagedOneFailsNamingItsLayerAndBlob() throws IOException {
    ImageStore store = ImageStore.open(tmp.resolve("store"));
    StoredImage image = image(store);
    DiskAssembler assembler = new DiskAssembler(tmp.resolve("disks"));
    assertTrue(
        Files.isRegularFile(assembler.assemble(ImageLayers.of(image), DiskAssemblerTest.SIZE)));

    Descriptor second = image.manifest().layers().get(1);
    try (RandomAccessFile file =
        new RandomAccessFile(store.blobPath(second.digest()).toFile(), "rw")) {
      file.seek(
          second.size() / 2); // inside the compressed data: gzip fails before the end of the blob
      file.write(~file.read());
    }
    DiskAssembler fresh = new DiskAssembler(tmp.resolve("other-disks"));
    ImageLayers damaged = ImageLayers.of(store.get("web:1"));
    DamagedBlobException e =
        assertThrows(
            DamagedBlobException.class, () -> fresh.assemble(damaged, DiskAssemblerTest.SIZE));
    assertEquals(second.digest(), e.blob());
    assertTrue(
        e.getMessage()
            .startsWith("web:1 (" + damaged.digest() + ") layer 2 " + second.digest() + ": "),
        e.getMessage());
    assertFalse(
        Files.exists(fresh.cachedPath(damaged, DiskAssemblerTest.SIZE)), "nothing is cached");
    assertFalse(store.hasBlob(second.digest()), "set aside, so that a pull fetches it again");
  }
}
