package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The small real appliance the runtime tests boot, built with mmdebstrap by
 * src/test/resources/test-image/make-test-image.sh (trixie, systemd, cloud kernel, UML 7.2 from
 * sid, the runtime's guest files from recipes/base/files, a busybox web server showing parameters,
 * secrets and boots) and stored as a one-layer appliance image in a real local store, so tests go
 * through the same path as {@code appliance run}: store, disk assembly, kernel extraction. The root
 * file system and the data directory (store, disk cache) are kept under /var/tmp between runs:
 * building takes about a minute, assembling the disk a few seconds more; a change to a guest file
 * rebuilds the layer. Needs root (mmdebstrap).
 */
final class TestImage {
  static final String REFERENCE = "runtime-test:1";
  static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path SCRIPT =
      Path.of("src/test/resources/test-image/make-test-image.sh").toAbsolutePath();
  private static Path data;

  private TestImage() {}

  /**
   * Appliance dirs whose data (store with the test image, caches) is shared and whose state is
   * fresh.
   */
  static synchronized ApplianceDirs dirs() throws IOException {
    if (data == null) {
      data = prepare();
    }
    Path state = Files.createTempDirectory(Path.of("/tmp"), "art");
    return new ApplianceDirs(data, state);
  }

  static BootImageResolver resolver(ApplianceDirs dirs) {
    return new StoreBootImages(dirs, RegistryOptions.defaults(), TransferListener.NONE);
  }

  private static Path prepare() throws IOException {
    Path out = Path.of("/var/tmp/appliance-runtime-test-" + hash(List.of(SCRIPT)).substring(0, 12));
    List<Path> guestFiles;
    try (Stream<Path> files = Files.list(REPO.resolve("recipes/base/files"))) {
      guestFiles = files.sorted().toList();
    }
    String guestHash = hash(guestFiles).substring(0, 16);
    Path data = out.resolve("data-" + guestHash);
    if (Files.exists(data.resolve("complete"))) {
      return data;
    }
    // Test runs of other checkouts share /var/tmp: one builds, the others wait.
    Path lockFile = Path.of(out + ".lock");
    try (java.nio.channels.FileChannel lock =
            java.nio.channels.FileChannel.open(
                lockFile,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held = lock.lock()) {
      if (!Files.exists(data.resolve("complete"))) {
        build(out, data);
      }
    }
    return data;
  }

  private static void build(Path out, Path data) throws IOException {
    HostTool.run(
        List.of("sh", SCRIPT.toString(), REPO.toString(), out.toString()), Path.of("/tmp"));
    Path layer = out.resolve("layer.tar");
    ImageStore store = ImageStore.open(data.resolve("store"));
    Digest layerDigest = sha256(layer);
    Descriptor layerDescriptor = store.putBlobFile(layer, MediaTypes.OCI_LAYER_TAR, layerDigest);
    Files.delete(layer);
    ImageConfig config =
        ImageConfig.create(
            Instant.parse("2026-01-01T00:00:00Z"),
            metadata(out).toLabels(),
            List.of(layerDigest),
            List.of(new ImageConfig.History("make-test-image.sh", "runtime test image")));
    Manifest manifest = Manifest.create(config.descriptor(), List.of(layerDescriptor), Map.of());
    store.tag(REFERENCE, store.putImage(config, manifest));
    Files.createFile(data.resolve("complete"));
  }

  private static ApplianceMetadata metadata(Path out) throws IOException {
    Path boot = out.resolve("rootfs/boot");
    String version;
    try (Stream<Path> files = Files.list(boot)) {
      version =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("vmlinuz-"))
              .findFirst()
              .orElseThrow()
              .substring("vmlinuz-".length());
    }
    return new ApplianceMetadata(
        "runtime-test",
        "1",
        List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
        new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 180),
        256,
        1,
        1L << 30,
        new ApplianceMetadata.Kernels(
            "/boot/vmlinuz-" + version, "/boot/initrd.img-" + version, "/usr/bin/linux.uml"),
        "",
        List.of(
            new ApplianceMetadata.Param("greeting", "hello", false, "shown at /greeting"),
            new ApplianceMetadata.Param(
                "token", null, true, "its length is shown at /secret-bytes"),
            new ApplianceMetadata.Param(
                "probe_url", "", false, "GET /cgi-bin/outbound fetches it")));
  }

  /**
   * A URL the guest can fetch over the network: the host's Debian mirror (the only network some CI
   * hosts have).
   */
  static String outboundProbeUrl() throws IOException {
    for (Path sources :
        List.of(Path.of("/etc/apt/sources.list.d"), Path.of("/etc/apt/sources.list"))) {
      List<Path> files;
      if (Files.isDirectory(sources)) {
        try (Stream<Path> list = Files.list(sources)) {
          files = list.sorted().toList();
        }
      } else {
        files = Files.exists(sources) ? List.of(sources) : List.of();
      }
      for (Path f : files) {
        for (String line : Files.readAllLines(f)) {
          java.util.regex.Matcher m =
              java.util.regex.Pattern.compile(
                      "^(?:URIs:\\s*|deb\\s+(?:\\[[^]]*]\\s+)?)(http://\\S+)")
                  .matcher(line.strip());
          if (m.find()) {
            return m.group(1).replaceAll("/+$", "") + "/dists/trixie/Release";
          }
        }
      }
    }
    throw new IllegalStateException("no http:// Debian mirror in the host's apt sources");
  }

  private static Digest sha256(Path file) throws IOException {
    MessageDigest sha = Digest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Digest.fromSha256(sha.digest());
  }

  private static String hash(List<Path> files) throws IOException {
    MessageDigest sha = Digest.newSha256();
    for (Path f : files) {
      sha.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update(Files.readAllBytes(f));
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
