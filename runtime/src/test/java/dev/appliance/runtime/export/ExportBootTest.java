package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.common.HostTools;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.runtime.instance.ImageLimits;
import dev.appliance.store.ImageStore;
import dev.appliance.testsupport.FreePort;
import dev.appliance.testsupport.OvmfMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An exported disk boots on its own: plain qemu-system-x86_64 with OVMF on TCG, no kernel given to
 * QEMU, until the image's HTTP health check answers through a forwarded port. The image is a real
 * Debian trixie root filesystem made with mmdebstrap (kernel, systemd, systemd-boot-efi, busybox
 * httpd), built once and kept under target/; the first-boot units of recipes/base come in a layer
 * over it. One boot per format: each takes 45 s to a few minutes under TCG. The cloud formats are
 * booted after converting them back, as their clouds would import them, with their first-boot
 * parameters given the cloud's way (an IMDSv2 stand-in and the like); the qcow2 disk takes them
 * from a NoCloud seed. The raw disk is the single-slot one (--no-updates); every other format has
 * the default self-updating layout (root slots A/B and a data partition) and boots slot A.
 */
@Tag("boot")
class ExportBootTest {
  private static final Path WORK = Path.of("target/export-boot").toAbsolutePath();
  // A bound against hangs, not a speed claim: a boot takes about 1.5 min under TCG here, and
  // 6.6 min when three TCG guests shared two cores at a load average of 20 (that CI run's raw
  // boot failed a 6 min bound).
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(15);
  private static Path rootfs;

  @BeforeAll
  static void buildImage() throws IOException {
    // With the report page the cloud tests read (the guest files come in guestLayer()).
    rootfs =
        TrixieRootfs.build(
            WORK,
            "rootfs-report.tar",
            "",
            TrixieRootfs.webServer(
                    "/srv/www",
                    "network.target appliance-firstboot.service",
                    "ExecStartPre=/usr/local/bin/report\\n")
                + """
                # What first boot gave the appliance: a parameter's value, a secret's mode,
                # owner and length (never the secret itself).
                printf '#!/bin/sh\\ncat /run/appliance/params/greeting > /srv/www/greeting || true\\nstat -c "%%a %%U %%s" /run/appliance/secrets/db_password > /srv/www/secret || true\\n' \\
                    > "$R/usr/local/bin/report"
                chmod 0755 "$R/usr/local/bin/report"
                chroot "$R" systemctl enable systemd-networkd healthz.service
                """);
  }

  /** The single-slot raw disk (--no-updates) boots by its own loader entry. */
  @Test
  void rawDiskBootsUnderUefiToItsHealthCheck() throws Exception {
    Path dir = Files.createTempDirectory(WORK, "boot-");
    try {
      Path disk = export(ExportFormat.RAW, dir).disk();
      try (OvmfMachine guest = boot(OvmfMachine.in(dir).disk(disk, "raw"), disk)) {
        assertTrue(
            guest.console().contains("root=PARTUUID="), "booted by the disk's own loader entry");
        assertFalse(bootedSlotA(guest), "the single-slot disk has no root slots");
        assertEquals(
            "inactive",
            guest.get("/wait-online").strip(),
            "not on a cloud: appliance-metadata makes no one wait for network-online (issue 18)");
      }
    } finally {
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  /**
   * The qcow2 disk (the default updating layout) boots to a healthy appliance whose first-boot unit
   * takes a parameter and a secret from a cloud-init NoCloud seed: an ISO labelled cidata made with
   * xorriso, as KubeVirt's cloudInitNoCloud or a hand-made seed provides it. One boot for both: the
   * Azure disk, which this seed was once booted with, is booted on its own metadata service below.
   */
  @Test
  void qcow2DiskBootsAndTakesItsParamsFromANoCloudSeed() throws Exception {
    assumeTrue(HostTools.find("xorriso").isPresent(), "xorriso makes the seed ISO");
    Path dir = Files.createTempDirectory(WORK, "seed-");
    try {
      Path disk = export(ExportFormat.QCOW2, dir).disk();
      String secret = "s3cret value";
      Path seed = Files.createDirectories(dir.resolve("seed"));
      Files.writeString(seed.resolve("meta-data"), "instance-id: cloud-test\n");
      Files.writeString(
          seed.resolve("user-data"),
          "#appliance-params\nparams:\n  greeting: hello from cidata\nsecrets:\n"
              + "  db_password: \""
              + secret
              + "\"\n");
      Path iso = dir.resolve("seed.iso");
      HostTool.run(
          List.of(
              "xorriso",
              "-as",
              "mkisofs",
              "-quiet",
              "-output",
              iso.toString(),
              "-volid",
              "cidata",
              "-joliet",
              "-rock",
              seed.toString()),
          dir);
      try (OvmfMachine guest =
          boot(OvmfMachine.in(dir).disk(disk, "qcow2").readOnlyDisk(iso), disk)) {
        assertTrue(
            guest.console().contains("root=PARTUUID="), "booted by the disk's own loader entry");
        assertTrue(bootedSlotA(guest), "the updating disk boots root slot A");
        assertEquals("hello from cidata", guest.get("/greeting"));
        assertEquals(
            "600 root " + secret.length(),
            guest.get("/secret").strip(),
            "the secret is root-only, with its value");
        assertFalse(guest.console().contains(secret), "the secret never reaches the console");
        assertEquals(
            "inactive",
            guest.get("/wait-online").strip(),
            "the seed was enough: no one waited for network-online");
      }
    } finally {
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  /**
   * The first-boot units of recipes/base/files as they are in this checkout, enabled as the base
   * recipe enables them, in a layer over the cached root file system (no rebuild when they change).
   */
  private static Path guestLayer(Path dir) throws IOException {
    TestLayer layer = new TestLayer();
    BaseRecipeFiles.scripts(
        layer, "appliance-firstboot", "appliance-userdata", "appliance-metadata");
    BaseRecipeFiles.units(layer, "appliance-firstboot.service", "appliance-metadata.service");
    return layer
        .symlink(
            "etc/systemd/system/sysinit.target.wants/appliance-firstboot.service",
            "/etc/systemd/system/appliance-firstboot.service")
        .symlink(
            "etc/systemd/system/multi-user.target.wants/appliance-metadata.service",
            "/etc/systemd/system/appliance-metadata.service")
        .file(
            "etc/systemd/system/healthz.service.d/after-metadata.conf",
            // Whether anything started systemd-networkd-wait-online before the appliance's
            // service: a boot that needs no metadata service must not wait for the network.
            "[Unit]\nAfter=appliance-metadata.service\n[Service]\nExecStartPre=/bin/sh -c"
                + " 'systemctl is-active systemd-networkd-wait-online.service"
                + " > /srv/www/wait-online; true'\n",
            0644,
            0,
            0)
        .writeTo(dir.resolve("guest.tar.gz"));
  }

  /** An appliance serving HTTP on port 80 whose health check is GET /healthz, with 1 GiB. */
  static ApplianceMetadata httpAppliance(String name) {
    return new ApplianceMetadata(
        name,
        "1",
        List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
        new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 300),
        1024,
        1,
        2L << 30,
        null,
        "",
        List.of());
  }

  /** An exporter assembling disks under {@code cache}, with its store in {@code dir}. */
  static Exporter exporter(Path cache, Path dir) {
    return new Exporter(
        new DiskAssembler(cache.resolve("disks")),
        new ImageFiles(cache.resolve("files")),
        ImageStore.open(dir.resolve("store")),
        RegistryOptions.defaults(),
        new TransferListener() {});
  }

  private static ExportResult export(ExportFormat format, Path dir) throws Exception {
    ApplianceMetadata metadata = httpAppliance("bootcheck");
    Exporter exporter = exporter(WORK, dir);
    Path guest = guestLayer(dir);
    // The digest keys the assembled-disk cache, kept under target/: it changes with the guest
    // files and with the root (whose file name is keyed by what went into it).
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(rootfs.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(guest)));
    return exporter.export(
        new ImageLayers("bootcheck:1", digest, List.of(rootfs, guest)),
        metadata,
        new ExportOptions(
            format,
            dir.resolve("out"),
            false,
            null,
            Map.of(),
            Map.of(),
            ImageLimits.DEFAULTS,
            StateVolume.NONE,
            false,
            // As the CLI exports: raw stands for --no-updates, the others have root slots A/B.
            format == ExportFormat.RAW
                ? UpdateChannel.NONE
                : UpdateChannel.following(null, null, UpdateChannel.DEFAULT_DATA_BYTES)));
  }

  /** Whether the loader booted root slot A of the self-updating layout. */
  private static boolean bootedSlotA(OvmfMachine guest) {
    return guest.console().contains("appliance.slot=a");
  }

  /**
   * The AWS VMDK, converted back to raw, boots on a "cloud": QEMU's SMBIOS says Amazon EC2 and the
   * guest's link-local network reaches 169.254.169.254:80, where a small HTTP server on the host
   * imitates IMDSv2 (a stand-in for the cloud: it answers user-data only with a session token got
   * by PUT first). The appliance sees the parameter and the secret.
   */
  @Test
  void awsDiskBootsAndTakesItsParamsFromImdsV2() throws Exception {
    String token = "AQAEAstandInToken==";
    String secret = "imds secret";
    bootOnCloudAndCheck(
        ExportFormat.AWS,
        "type=1,manufacturer=Amazon EC2",
        new MetadataStandIn(
            "/latest/",
            exchange -> {
              String path = exchange.getRequestURI().getPath();
              if (path.equals("/latest/api/token")
                  && exchange.getRequestMethod().equals("PUT")
                  && exchange
                      .getRequestHeaders()
                      .containsKey("X-aws-ec2-metadata-token-ttl-seconds")) {
                return token;
              }
              boolean withToken =
                  token.equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"));
              return path.equals("/latest/user-data") && withToken ? userData(secret) : null;
            }),
        secret,
        // IMDSv2: the token first, then user-data with it.
        List.of("PUT /latest/api/token", "GET /latest/user-data"));
  }

  /**
   * The GCE tar.gz, unpacked as Google's import does, boots on a "Google Compute Engine" (QEMU's
   * SMBIOS product name) whose metadata server is a local stand-in answering the user-data key only
   * with the Metadata-Flavor header.
   */
  @Test
  void gceDiskBootsAndTakesItsParamsFromTheMetadataServer() throws Exception {
    String secret = "gce secret";
    bootOnCloudAndCheck(
        ExportFormat.GCE,
        "type=1,product=Google Compute Engine",
        new MetadataStandIn(
            "/computeMetadata/",
            exchange ->
                exchange
                            .getRequestURI()
                            .getPath()
                            .equals("/computeMetadata/v1/instance/attributes/user-data")
                        && "Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"))
                    ? userData(secret)
                    : null),
        secret,
        List.of("GET /computeMetadata/v1/instance/attributes/user-data"));
  }

  /**
   * The Azure VHD, converted back to raw, boots on an "Azure VM" (QEMU's SMBIOS chassis asset tag)
   * whose instance metadata service is a local stand-in: user-data base64-encoded, answered only
   * with the Metadata header.
   */
  @Test
  void azureDiskTakesItsParamsFromTheInstanceMetadataService() throws Exception {
    String secret = "azure secret";
    bootOnCloudAndCheck(
        ExportFormat.AZURE,
        "type=3,asset=7783-7084-3265-9085-8269-3286-77",
        new MetadataStandIn(
            "/metadata/",
            exchange ->
                exchange.getRequestURI().getPath().equals("/metadata/instance/compute/userData")
                        && "true".equals(exchange.getRequestHeaders().getFirst("Metadata"))
                    ? Base64.getEncoder()
                        .encodeToString(userData(secret).getBytes(StandardCharsets.UTF_8))
                    : null),
        secret,
        List.of("GET /metadata/instance/compute/userData"));
  }

  /** Exports {@code format} and converts it back to raw with qemu-img, as the issue asks. */
  private static Path exportedAsRaw(ExportFormat format, String qemuFormat, Path dir)
      throws Exception {
    Path raw = dir.resolve("back.raw");
    HostTool.run(
        List.of(
            "qemu-img",
            "convert",
            "-f",
            qemuFormat,
            "-O",
            "raw",
            export(format, dir).disk().toString(),
            raw.toString()),
        dir);
    return raw;
  }

  /** Exports a cloud {@code format} and turns it back into a raw disk as that cloud imports it. */
  private static Path importedAsRaw(ExportFormat format, Path dir) throws Exception {
    return switch (format) {
      case AWS -> exportedAsRaw(format, "vmdk", dir);
      case AZURE -> exportedAsRaw(format, "vpc", dir);
      case GCE -> {
        Path tarGz = export(format, dir).disk();
        HostTool.run(List.of("tar", "-xSzf", tarGz.toString(), "-C", dir.toString()), dir);
        yield dir.resolve("disk.raw");
      }
      default -> throw new IllegalArgumentException(format + " is not a cloud format");
    };
  }

  private static String userData(String secret) {
    return "#appliance-params\nparams:\n  greeting: hello from the cloud\nsecrets:\n"
        + "  db_password: "
        + secret
        + "\n";
  }

  /**
   * A local HTTP server standing in for a cloud's metadata service: {@code answer} gives the body
   * of a 200, or null for a 404. Records every request as "METHOD PATH".
   */
  private static final class MetadataStandIn implements AutoCloseable {
    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    MetadataStandIn(String context, Function<HttpExchange, String> answer) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          context,
          exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            String body = answer.apply(exchange);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(
                body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
          });
      server.start();
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /**
   * Exports {@code format}, imports it back as its cloud would, and boots it with the SMBIOS of
   * that cloud, its guest network link-local so that 169.254.169.254:80 reaches {@code service};
   * checks the appliance got the parameter and the secret of {@link #userData} from exactly {@code
   * requests}, and that the disk has the default updating layout (slot A booted).
   */
  private static void bootOnCloudAndCheck(
      ExportFormat format,
      String smbios,
      MetadataStandIn service,
      String secret,
      List<String> requests)
      throws Exception {
    Path dir = Files.createTempDirectory(WORK, format.name().toLowerCase(Locale.ROOT));
    try (service) {
      Path raw = importedAsRaw(format, dir);
      bootWithMetadataService(dir, raw, service, smbios, secret);
      assertEquals(requests, service.requests());
    } finally {
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  private static void bootWithMetadataService(
      Path dir, Path raw, MetadataStandIn service, String smbios, String secret) throws Exception {
    // QEMU runs this per guest connection to 169.254.169.254:80 and relays it to the stand-in.
    Path relay =
        Files.writeString(
            dir.resolve("relay.py"),
            """
            import os, socket, sys, threading
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            def up():
                while data := sys.stdin.buffer.read1(65536):
                    s.sendall(data)
            threading.Thread(target=up, daemon=True).start()
            while data := s.recv(65536):
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            # At once: the stdin thread would make the interpreter's shutdown print an error
            # into the guest's connection (stderr is the socket too).
            os._exit(0)
            """);
    try (OvmfMachine guest =
        boot(
            OvmfMachine.in(dir)
                .disk(raw, "raw")
                .network(
                    "net=169.254.0.0/16,host=169.254.0.2,dhcpstart=169.254.0.15,"
                        + "guestfwd=tcp:169.254.169.254:80-cmd:/usr/bin/python3 "
                        + relay
                        + " "
                        + service.port())
                .extra(List.of("-smbios", smbios)),
            raw)) {
      assertTrue(bootedSlotA(guest), "the cloud disk has the updating layout");
      assertEquals(
          "hello from the cloud",
          guest.get("/greeting"),
          "stand-in saw " + service.requests() + "; console ends with:\n" + guest.tail());
      assertEquals("600 root " + secret.length(), guest.get("/secret").strip());
      assertFalse(guest.console().contains(secret), "the secret never reaches the console");
    }
  }

  /** Starts {@code machine} (booting {@code disk}) and waits until its health check answers. */
  static OvmfMachine boot(OvmfMachine.Builder machine, Path disk) throws InterruptedException {
    OvmfMachine guest = machine.start(FreePort.next());
    long start = System.nanoTime();
    boolean healthy = guest.awaitHttpOk("/healthz", BOOT_TIMEOUT);
    System.err.println(
        disk.getFileName()
            + ": healthy after "
            + (System.nanoTime() - start) / 1_000_000_000L
            + " s");
    if (!healthy) {
      guest.close();
      throw new AssertionError(
          disk + ": no HTTP 200 from /healthz; console ends with:\n" + guest.tail());
    }
    return guest;
  }
}
