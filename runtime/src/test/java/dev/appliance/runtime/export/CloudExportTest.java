package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud formats checked by the tools that define them: qemu-img reads the VHD footer and the
 * VMDK descriptor, GNU tar the GCE archive; sfdisk checks that the partition table survives the
 * round trip back to raw. The image has a stand-in kernel ({@link ExportBootTest} boots a real
 * one).
 */
class CloudExportTest {
  private static final long MIB = 1L << 20;

  @TempDir Path tmp;
  ImageLayers image;

  @BeforeEach
  void image() throws IOException {
    image =
        new ImageLayers(
            "web:1.0", "sha256:5e", List.of(ExportTest.standInLayer(tmp.resolve("layer.tar.gz"))));
  }

  private ExportResult export(ExportFormat format) {
    return new Exporter(
            new DiskAssembler(tmp.resolve("disks")),
            new ImageFiles(tmp.resolve("files")),
            ImageStore.open(tmp.resolve("store")),
            RegistryOptions.defaults(),
            new TransferListener() {})
        .export(
            image,
            ExportTest.METADATA,
            new ExportOptions(format, tmp.resolve("out-" + format), false, null));
  }

  @Test
  void azureGetsAFixedVhdOfTheRawSizeInWholeMiB() throws Exception {
    Path raw = export(ExportFormat.RAW).disk();
    Path vhd = export(ExportFormat.AZURE).disk();
    assertEquals("web-1.0.vhd", vhd.getFileName().toString());

    // A fixed VHD has its footer only at the end, so qemu-img's probe sees raw: name the format.
    JsonNode info =
        new ObjectMapper()
            .readTree(
                ExportTest.run("qemu-img", "info", "-f", "vpc", "--output=json", vhd.toString()));
    assertEquals("vpc", info.get("format").asText());
    long virtual = info.get("virtual-size").asLong();
    assertEquals(Files.size(raw), virtual, "no CHS rounding");
    assertEquals(0, virtual % MIB, "Azure wants the virtual size in whole MiB");
    assertEquals(virtual + 512, Files.size(vhd), "fixed VHD: the data, then a 512-byte footer");
    byte[] footer = tail(vhd, 512);
    assertEquals("conectix", new String(footer, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(2, footer[63], "disk type 2: fixed");

    assertConvertsBackToRaw(vhd, "vpc", raw);
  }

  @Test
  void awsGetsAStreamOptimizedVmdk() throws Exception {
    Path raw = export(ExportFormat.RAW).disk();
    Path vmdk = export(ExportFormat.AWS).disk();
    assertEquals("web-1.0.vmdk", vmdk.getFileName().toString());
    ExportTest.run("qemu-img", "check", vmdk.toString());
    JsonNode info = info(vmdk);
    assertEquals("vmdk", info.get("format").asText());
    assertEquals(
        "streamOptimized", info.get("format-specific").get("data").get("create-type").asText());
    assertEquals(Files.size(raw), info.get("virtual-size").asLong());

    assertConvertsBackToRaw(vmdk, "vmdk", raw);
  }

  /** qemu-img converts {@code disk} (of qemu format {@code format}) back to {@code raw}'s table. */
  private void assertConvertsBackToRaw(Path disk, String format, Path raw) throws IOException {
    Path back = tmp.resolve("back.raw");
    ExportTest.run(
        "qemu-img", "convert", "-f", format, "-O", "raw", disk.toString(), back.toString());
    assertEquals(partitions(raw), partitions(back));
  }

  @Test
  void gceGetsOneSparseDiskRawInAnOldgnuTarGzOfWholeGib() throws Exception {
    Path raw = export(ExportFormat.RAW).disk();
    Path tarGz = export(ExportFormat.GCE).disk();
    assertEquals("web-1.0.tar.gz", tarGz.getFileName().toString());

    assertEquals("disk.raw\n", ExportTest.run("tar", "-tzf", tarGz.toString()));
    byte[] header = new byte[512];
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tarGz))) {
      assertEquals(512, in.readNBytes(header, 0, 512));
    }
    assertEquals(
        "ustar  \0",
        new String(header, 257, 8, StandardCharsets.US_ASCII),
        "GNU oldgnu magic, not POSIX ustar/pax");
    assertEquals('S', header[156], "a GNU sparse member: holes are not stored");

    Path dir = Files.createDirectories(tmp.resolve("unpacked"));
    ExportTest.run("tar", "-xSzf", tarGz.toString(), "-C", dir.toString());
    Path disk = dir.resolve("disk.raw");
    assertEquals(0, Files.size(disk) % CloudDisk.GIB, "GCE wants whole GiB");
    assertTrue(Files.size(disk) >= Files.size(raw));
    // The backup GPT moved to the new end: sfdisk --verify finds no problem.
    String verify = ExportTest.run("sfdisk", "--verify", disk.toString());
    assertFalse(verify.toLowerCase().contains("problem"), verify);
    assertEquals(partitions(raw), partitions(disk));
    assertEquals(
        List.of(tarGz), List.of(Files.list(tarGz.getParent()).toArray()), "nothing else left");
  }

  @Test
  void cloudFormatsCannotBeBootedByLibvirtAndUnknownNamesAreRefused() {
    for (ExportFormat format : List.of(ExportFormat.AZURE, ExportFormat.GCE, ExportFormat.AWS)) {
      assertFalse(format.bootsInLibvirt(), format.name());
    }
    assertEquals(ExportFormat.AZURE, ExportFormat.parse("azure"));
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> ExportFormat.parse("vhdx"));
    assertTrue(e.getMessage().contains("azure, gce or aws"), e.getMessage());
  }

  private static JsonNode info(Path disk) throws IOException {
    return new ObjectMapper()
        .readTree(ExportTest.run("qemu-img", "info", "--output=json", disk.toString()));
  }

  /** The partitions (start, size, type, uuid), without the disk-size-dependent last LBA. */
  private static String partitions(Path disk) throws IOException {
    return new ObjectMapper()
        .readTree(ExportTest.run("sfdisk", "--json", disk.toString()))
        .get("partitiontable")
        .get("partitions")
        .toString()
        .replace(disk.toString(), "DISK");
  }

  private static byte[] tail(Path file, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] out = new byte[bytes];
      f.seek(f.length() - bytes);
      f.readFully(out);
      return out;
    }
  }
}
