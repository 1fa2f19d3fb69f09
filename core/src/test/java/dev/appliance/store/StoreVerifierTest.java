package dev.appliance.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged stores as users meet them: truncated, altered and missing blobs, found by verify and by
 * readers.
 */
class StoreVerifierTest {
  @TempDir Path dir;
  ImageStore store;
  Descriptor shared;
  Descriptor onlyWeb;
  Manifest web;

  @BeforeEach
  void setUp() throws IOException {
    store = ImageStore.open(dir.resolve("store"));
    shared = store.putBlob(bytes("base layer ", 5000), MediaTypes.OCI_LAYER_TAR);
    onlyWeb = store.putBlob(bytes("web layer ", 3000), MediaTypes.OCI_LAYER_TAR);
    web = image("registry.example/ops/web:1", shared, onlyWeb);
    image("db:1", shared);
  }

  private static byte[] bytes(String text, int times) {
    return text.repeat(times).getBytes(StandardCharsets.UTF_8);
  }

  private Manifest image(String tag, Descriptor... layers) throws IOException {
    ImageConfig config =
        ImageConfig.create(
            Instant.EPOCH,
            Map.of("dev.appliance.name", "x"),
            java.util.Arrays.stream(layers).map(Descriptor::digest).toList(),
            List.of());
    Manifest manifest = Manifest.create(config.descriptor(), List.of(layers), Map.of());
    store.tag(tag, store.putImage(config, manifest));
    return manifest;
  }

  private void flipLastByte(Descriptor blob) throws IOException {
    try (RandomAccessFile file =
        new RandomAccessFile(store.blobPath(blob.digest()).toFile(), "rw")) {
      file.seek(file.length() - 1);
      int b = file.read();
      file.seek(file.length() - 1);
      file.write(b ^ 1);
    }
  }

  private void truncate(Descriptor blob, long size) throws IOException {
    try (RandomAccessFile file =
        new RandomAccessFile(store.blobPath(blob.digest()).toFile(), "rw")) {
      file.setLength(size);
    }
  }

  @Test
  void anIntactStoreIsClean() {
    StoreVerifier.Report report = new StoreVerifier(store).verify(false);
    assertTrue(report.clean(), report.problems().toString());
    assertEquals(2, report.tags());
    assertEquals(2 + 2 + 2, report.blobs(), "two manifests, two configs, two distinct layers");
  }

  @Test
  void aTruncatedSharedLayerIsReportedWithEveryImageThatNeedsItAndWhatToDo() throws IOException {
    truncate(shared, 100);
    StoreVerifier.Report report = new StoreVerifier(store).verify(false);
    assertEquals(1, report.problems().size(), report.problems().toString());
    StoreVerifier.Problem p = report.problems().get(0);
    assertEquals(shared.digest().toString(), p.blob());
    assertEquals(StoreVerifier.Damage.WRONG_SIZE, p.damage());
    assertEquals("100 bytes instead of " + shared.size(), p.detail());
    assertEquals(List.of("db:1", "registry.example/ops/web:1"), p.neededBy());
    assertTrue(p.advice().contains("appliance pull registry.example/ops/web:1"), p.advice());
    assertTrue(p.advice().contains("rebuild db:1"), p.advice());
    assertFalse(p.setAside());
    assertTrue(p.repairable(), "a repair would set it aside before the pull or rebuild");
    assertTrue(store.hasBlob(shared.digest()), "without a repair nothing changes");
  }

  @Test
  void anAlteredLayerOfTheSameSizeIsFoundByItsDigestAndRepairSetsItAside() throws IOException {
    flipLastByte(onlyWeb);
    StoreVerifier.Report report = new StoreVerifier(store).verify(true);
    StoreVerifier.Problem p = report.problems().get(0);
    assertEquals(StoreVerifier.Damage.WRONG_DIGEST, p.damage());
    assertEquals(List.of("registry.example/ops/web:1"), p.neededBy());
    assertTrue(p.setAside());
    assertFalse(p.repairable(), "already set aside");
    assertFalse(store.hasBlob(onlyWeb.digest()));
    assertEquals(
        1,
        Files.list(store.root().resolve("tmp"))
            .filter(f -> f.getFileName().toString().startsWith("damaged-"))
            .count());

    StoreVerifier.Problem after = new StoreVerifier(store).verify(false).problems().get(0);
    assertEquals(StoreVerifier.Damage.MISSING, after.damage(), "now the pull must fetch it");
    assertEquals("appliance pull registry.example/ops/web:1", after.advice());
  }

  @Test
  void damageNoImageNeedsIsLeftToGcAndAStrayFileIsNamed() throws IOException {
    Descriptor orphan = store.putBlob(bytes("orphan ", 10), MediaTypes.OCI_LAYER_TAR);
    flipLastByte(orphan);
    Files.writeString(store.root().resolve("blobs/sha256/notes.txt"), "hello");
    List<StoreVerifier.Problem> problems = new StoreVerifier(store).verify(false).problems();
    assertEquals(2, problems.size(), problems.toString());
    assertEquals(StoreVerifier.Damage.NOT_A_BLOB, problems.get(0).damage());
    assertEquals("notes.txt", problems.get(0).blob());
    assertEquals(StoreVerifier.Damage.WRONG_DIGEST, problems.get(1).damage());
    assertEquals(List.of(), problems.get(1).neededBy());
    assertTrue(problems.get(1).advice().contains("appliance gc"), problems.get(1).advice());

    assertEquals(
        1,
        store.gc().blobsRemoved(),
        "gc removes the damaged orphan and leaves the stray file alone");
    assertTrue(Files.exists(store.root().resolve("blobs/sha256/notes.txt")));
    assertTrue(store.hasBlob(shared.digest()));
  }

  @Test
  void aMissingConfigBreaksTheTagAndIsReported() throws IOException {
    Files.delete(store.blobPath(web.config().digest()));
    StoreVerifier.Problem p = new StoreVerifier(store).verify(false).problems().get(0);
    assertEquals(web.config().digest().toString(), p.blob());
    assertEquals(StoreVerifier.Damage.MISSING, p.damage());
    assertEquals(List.of("registry.example/ops/web:1"), p.neededBy());
  }

  @Test
  void aVerifyingReadFailsOnDamageNamesTheBlobAndSetsItAsideSoAPullRefetchesIt()
      throws IOException {
    flipLastByte(onlyWeb);
    DamagedBlobException e =
        assertThrows(
            DamagedBlobException.class,
            () -> {
              try (InputStream in = store.openVerified(onlyWeb, "web:1 layer 2")) {
                in.readAllBytes();
              }
            });
    assertTrue(
        e.getMessage().startsWith("web:1 layer 2: blob " + onlyWeb.digest()), e.getMessage());
    assertTrue(
        e.getMessage().contains("appliance pull") && e.getMessage().contains("store verify"),
        e.getMessage());
    assertFalse(
        store.hasBlob(onlyWeb.digest()), "a name must not keep serving bytes that do not match it");
    assertFalse(store.hasIntactBlob(onlyWeb));
  }

  @Test
  void aReaderThatStopsEarlyStillHasTheRestCheckedWhenItCloses() throws IOException {
    truncate(shared, shared.size() - 1);
    InputStream in = store.openVerified(shared, "db:1 layer 1");
    assertEquals(10, in.readNBytes(10).length);
    DamagedBlobException e = assertThrows(DamagedBlobException.class, in::close);
    assertTrue(
        e.getMessage().contains((shared.size() - 1) + " bytes instead of " + shared.size()),
        e.getMessage());
  }

  @Test
  void aBlobLongerThanItsDescriptorFailsAtTheFirstByteBeyond() throws IOException {
    Files.write(
        store.blobPath(onlyWeb.digest()),
        new byte[] {'x'},
        java.nio.file.StandardOpenOption.APPEND);
    try (InputStream in = store.openVerified(onlyWeb, "web:1 layer 2")) {
      assertEquals(onlyWeb.size(), in.readNBytes((int) onlyWeb.size()).length);
      DamagedBlobException e = assertThrows(DamagedBlobException.class, in::read);
      assertTrue(
          e.getMessage().contains("larger than the " + onlyWeb.size() + " bytes"), e.getMessage());
    } catch (DamagedBlobException closing) {
      // close() after the failure has nothing more to say
    }
  }

  @Test
  void intactBlobsReadBackExactlyAndPassThePullCheck() throws IOException {
    try (InputStream in = store.openVerified(onlyWeb, "web:1 layer 2")) {
      assertArrayEquals(Files.readAllBytes(store.blobPath(onlyWeb.digest())), in.readAllBytes());
    }
    assertTrue(store.hasIntactBlob(onlyWeb));
    assertFalse(
        store.hasIntactBlob(
            new Descriptor(onlyWeb.mediaType(), onlyWeb.digest(), onlyWeb.size() + 1)),
        "a size other than the descriptor's is damage");
  }

  @Test
  void aDamagedConfigFailsWhenReadAndIsSetAside() throws IOException {
    flipLastByte(web.config());
    DamagedBlobException e =
        assertThrows(DamagedBlobException.class, () -> store.readBlob(web.config().digest()));
    assertEquals(web.config().digest(), e.blob());
    assertFalse(store.hasBlob(web.config().digest()));
    Digest manifest = web.digest();
    assertArrayEquals(web.raw(), store.readBlob(manifest), "intact blobs read as before");
  }
}
