package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The test appliance plus services that start {@link #DELAY_SECONDS} after boot: a silent one
 * (busybox httpd on {@link #SILENT_PORT}, which waits for the client to speak) and one that speaks
 * first (a banner on {@link #BANNER_PORT}, as SSH, SMTP or MySQL do). Nothing ever listens on
 * {@link #NOTHING_PORT}. Each image differs only in its tcp health check, the label a health test
 * is about.
 */
final class LateServiceImage {
  static final int DELAY_SECONDS = 20;
  static final int SILENT_PORT = 8080;
  static final int BANNER_PORT = 2222;
  static final int NOTHING_PORT = 9999;
  static final String BANNER = "LATE-BANNER ready";

  private static final String SILENT_UNIT =
      unit("Silent service listening late", "busybox httpd -f -p " + SILENT_PORT + " -h /srv/www");
  private static final String BANNER_UNIT =
      unit(
          "Banner service listening late",
          "busybox nc -ll -p " + BANNER_PORT + " -e /usr/local/bin/late-banner");
  private static final String BANNER_SCRIPT = "#!/bin/sh\necho '" + BANNER + "'\n";

  private LateServiceImage() {}

  /**
   * Stores (once) and returns the reference of the image whose tcp health check is on {@code
   * guestPort}.
   */
  static String withTcpHealth(ApplianceDirs dirs, int guestPort) throws IOException {
    // The store is shared between runs: the tag names the services' content, so a change builds a
    // new image.
    String reference =
        "runtime-test-tcp"
            + guestPort
            + ":"
            + Integer.toHexString((SILENT_UNIT + BANNER_UNIT + BANNER_SCRIPT).hashCode());
    ImageStore store = ImageStore.open(dirs.data().resolve("store"));
    try (AutoCloseable lock = store.lockForWrite()) {
      if (store.find(reference).isEmpty()) {
        store.tag(reference, put(store, guestPort));
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
    return reference;
  }

  private static Descriptor put(ImageStore store, int guestPort) throws IOException {
    StoredImage base = store.get(TestImage.REFERENCE);
    Path layer = services().writeTo(store.tempFile());
    Descriptor layerDescriptor =
        store.putBlobFile(layer, MediaTypes.OCI_LAYER_GZIP, sha256(layer, false));
    Digest diffId = sha256(layer, true);
    Files.deleteIfExists(layer);

    ApplianceMetadata b = base.config().appliance(TestImage.REFERENCE);
    ApplianceMetadata metadata =
        new ApplianceMetadata(
            "runtime-test-tcp" + guestPort,
            "1",
            List.of(
                new ApplianceMetadata.Port("http", 80, "tcp"),
                new ApplianceMetadata.Port("late-http", SILENT_PORT, "tcp"),
                new ApplianceMetadata.Port("late-banner", BANNER_PORT, "tcp"),
                new ApplianceMetadata.Port("nothing", NOTHING_PORT, "tcp")),
            new ApplianceMetadata.HealthCheck("tcp", guestPort, null, 0, 300),
            b.memoryMiB(),
            b.cpus(),
            b.diskBytes(),
            b.kernels(),
            b.kernelCmdline(),
            b.params());
    List<Digest> diffIds = new ArrayList<>(base.config().diffIds());
    diffIds.add(diffId);
    List<Descriptor> layers = new ArrayList<>(base.manifest().layers());
    layers.add(layerDescriptor);
    ImageConfig config =
        ImageConfig.create(
            Instant.parse("2026-01-01T00:00:00Z"),
            metadata.toLabels(),
            diffIds,
            List.of(
                new ImageConfig.History("make-test-image.sh", "runtime test image"),
                new ImageConfig.History("LateServiceImage", "services listening late")));
    return store.putImage(config, Manifest.create(config.descriptor(), layers, Map.of()));
  }

  private static TestLayer services() {
    String wants = "etc/systemd/system/multi-user.target.wants/";
    return new TestLayer()
        .file("usr/local/bin/late-banner", BANNER_SCRIPT, 0755, 0, 0)
        .file("etc/systemd/system/late-http.service", SILENT_UNIT)
        .file("etc/systemd/system/late-banner.service", BANNER_UNIT)
        .symlink(wants + "late-http.service", "/etc/systemd/system/late-http.service")
        .symlink(wants + "late-banner.service", "/etc/systemd/system/late-banner.service");
  }

  private static String unit(String description, String command) {
    return "[Unit]\nDescription="
        + description
        + "\nAfter=demo-web.service\n\n[Service]\n"
        + "ExecStart=/bin/sh -c 'sleep "
        + DELAY_SECONDS
        + "; exec "
        + command
        + "'\n";
  }

  private static Digest sha256(Path file, boolean uncompressed) throws IOException {
    MessageDigest sha = Digest.newSha256();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in =
            new DigestInputStream(uncompressed ? new GZIPInputStream(raw) : raw, sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Digest.fromSha256(sha.digest());
  }
}
