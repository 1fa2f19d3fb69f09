package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.TestImages;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code appliance export} as a user runs it: a separate JVM with its own APPLIANCE_HOME. */
class ExportCommandTest {
  @TempDir Path dir;

  @Test
  void exportsAStoredImageAsQcow2WithALibvirtDomain() throws Exception {
    Path home = dir.resolve("home");
    ImageStore store = ImageStore.open(home.resolve("data/store"));
    // TestImages' metadata names /boot/vmlinuz and /boot/initrd.img as the kernel files.
    TestImages.image(store, "web:1.0", List.of(bootLayer(store)));
    Path out = dir.resolve("out");

    CliProcess.Run run =
        CliProcess.run(
            home,
            "export",
            "web:1.0",
            "--format",
            "qcow2",
            "--libvirt",
            "-o",
            out.toString(),
            "--json");

    assertEquals(0, run.exit(), run.err());
    JsonNode result = new ObjectMapper().readTree(run.out());
    Path disk = Path.of(result.get("disk").asText());
    assertEquals(out.resolve("web-1.0.0.qcow2"), disk);
    assertTrue(Files.size(disk) > 0);
    assertEquals(out.resolve("web-1.0.0.xml").toString(), result.get("files").get(1).asText());
    assertTrue(
        run.err().contains("exporting web:1.0")
            && run.err().contains("assembling the root disk")
            && run.err().contains("converting to qcow2"),
        "progress on stderr: " + run.err());

    CliProcess.Run again =
        CliProcess.run(
            home, "export", "web:1.0", "--format", "raw", "-o", out.toString(), "--quiet");
    assertEquals(0, again.exit(), again.err());
    assertEquals("", again.err(), "--quiet: no progress");
    assertEquals(out.resolve("web-1.0.0.raw").toString(), again.out().strip());
  }

  @Test
  void anUpdateKeyThatIsNoPublicKeyIsInvalidInputNamingTheFileBeforeAnythingIsWritten()
      throws Exception {
    Path key = Files.writeString(dir.resolve("release.pub"), "not a key\n");
    Path out = dir.resolve("out");
    CliProcess.Run run =
        CliProcess.run(
            dir.resolve("home"),
            "export",
            "web:1.0",
            "--update-key",
            key.toString(),
            "-o",
            out.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(key.toString()), run.err());
    assertTrue(Files.notExists(out), "nothing written");

    CliProcess.Run single =
        CliProcess.run(
            dir.resolve("home"),
            "export",
            "web:1.0",
            "--no-updates",
            "--update-key",
            key.toString(),
            "-o",
            out.toString());
    assertEquals(2, single.exit(), single.err());
    assertTrue(single.err().contains("--update-key"), single.err());
  }

  @Test
  void unknownFormatIsInvalidInput() throws Exception {
    CliProcess.Run run =
        CliProcess.run(dir.resolve("home"), "export", "web:1.0", "--format", "vhd");
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("unknown export format 'vhd'"), run.err());
  }

  @Test
  void stateOptionsAreCheckedBeforeAnythingIsWritten() throws Exception {
    Path home = dir.resolve("home");
    Path out = dir.resolve("out");
    CliProcess.Run injected =
        CliProcess.run(
            home, "export", "web:1.0", "--state-dir", "/var/lib/my sql", "-o", out.toString());
    assertEquals(2, injected.exit(), injected.err());
    assertTrue(injected.err().contains("state directory '/var/lib/my sql'"), injected.err());

    CliProcess.Run sizeAlone =
        CliProcess.run(home, "export", "web:1.0", "--state-size", "10G", "-o", out.toString());
    assertEquals(2, sizeAlone.exit(), sizeAlone.err());
    assertTrue(sizeAlone.err().contains("--state-size needs --state-dir"), sizeAlone.err());

    CliProcess.Run rootAlone =
        CliProcess.run(
            home, "export", "web:1.0", "--kubevirt-persistent-root", "-o", out.toString());
    assertEquals(2, rootAlone.exit(), rootAlone.err());
    assertTrue(
        rootAlone.err().contains("--kubevirt-persistent-root needs --kubevirt"), rootAlone.err());
    assertTrue(Files.notExists(out), "nothing written");
  }

  /**
   * A layer with stand-in kernel, initrd and UEFI loader: enough to build the disk, not to boot it.
   */
  private static TestImages.Layer bootLayer(ImageStore store) throws IOException {
    Map<String, String> files =
        Map.of(
            "boot/vmlinuz", "kernel",
            "boot/initrd.img", "initrd",
            "usr/lib/systemd/boot/efi/systemd-bootx64.efi", "loader");
    MessageDigest diff = Digest.newSha256();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new DigestOutputStream(new GZIPOutputStream(gz), diff))) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    try (BlobWriter blob = store.newBlob()) {
      blob.write(gz.toByteArray());
      return new TestImages.Layer(
          blob.commit(MediaTypes.OCI_LAYER_GZIP), Digest.fromSha256(diff.digest()));
    }
  }
}
