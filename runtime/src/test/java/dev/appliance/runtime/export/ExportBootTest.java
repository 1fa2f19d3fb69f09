package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An exported disk boots on its own: plain qemu-system-x86_64 with OVMF on TCG, no kernel given to
 * QEMU, until the image's HTTP health check answers through a forwarded port. The image is a real
 * Debian trixie root filesystem made with mmdebstrap (kernel, systemd, systemd-boot-efi, busybox
 * httpd), built once and kept under target/. One boot per format: each takes 45 s to a few minutes
 * under TCG.
 */
@Tag("boot")
class ExportBootTest {
  private static final Path WORK = Path.of("target/export-boot").toAbsolutePath();
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);
  private static Path rootfs;

  @BeforeAll
  static void buildImage() throws IOException {
    assumeTrue(HostTools.isRoot(), "mmdebstrap builds the test image as root");
    Files.createDirectories(WORK);
    rootfs = WORK.resolve("rootfs.tar");
    if (Files.exists(rootfs)) {
      return;
    }
    Path hook = WORK.resolve("customize.sh");
    Files.writeString(
        hook,
        """
                #!/bin/sh
                set -e
                R="$1"
                mkdir -p "$R/etc/systemd/network" "$R/srv/www"
                printf '[Match]\\nName=en* eth*\\n[Network]\\nDHCP=ipv4\\n' > "$R/etc/systemd/network/10-any.network"
                echo ok > "$R/srv/www/healthz"
                printf '[Unit]\\nAfter=network.target\\n[Service]\\nExecStart=/bin/busybox httpd -f -p 80 -h /srv/www\\n[Install]\\nWantedBy=multi-user.target\\n' \\
                    > "$R/etc/systemd/system/healthz.service"
                chroot "$R" systemctl enable systemd-networkd healthz.service
                """);
    Path partial = WORK.resolve("rootfs.tar.part");
    // No mirror argument: mmdebstrap takes the host's apt sources.
    HostTool.run(
        List.of(
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            "--format=tar",
            "--include=systemd-sysv,udev,linux-image-cloud-amd64,systemd-boot-efi,busybox",
            "--customize-hook=sh " + hook + " \"$1\"",
            "trixie",
            partial.toString()),
        WORK);
    Files.move(partial, rootfs, StandardCopyOption.ATOMIC_MOVE);
  }

  @ParameterizedTest
  @EnumSource(
      value = ExportFormat.class,
      names = {"RAW", "QCOW2"})
  void exportedDiskBootsUnderUefiToItsHealthCheck(ExportFormat format) throws Exception {
    Path dir = Files.createTempDirectory(WORK, "boot-");
    try {
      ApplianceMetadata metadata =
          new ApplianceMetadata(
              "bootcheck",
              "1",
              List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
              new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 300),
              1024,
              1,
              2L << 30,
              null,
              "",
              List.of());
      Exporter exporter =
          new Exporter(
              new DiskAssembler(WORK.resolve("disks")),
              new ImageFiles(WORK.resolve("files")),
              ImageStore.open(dir.resolve("store")),
              RegistryOptions.defaults(),
              new TransferListener() {});
      ExportResult result =
          exporter.export(
              new ImageLayers("bootcheck:1", "sha256:b007", List.of(rootfs)),
              metadata,
              new ExportOptions(format, dir.resolve("out"), false, null));

      int port = freePort();
      Path console = dir.resolve("console.log");
      Process qemu = startQemu(dir, result.disk(), format.extension, port, List.of());
      try {
        long start = System.nanoTime();
        boolean healthy = waitForHttp(port, qemu);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.err.println(format + " export: healthy after " + seconds + " s");
        assertTrue(
            healthy, format + ": no HTTP 200 from /healthz; console ends with:\n" + tail(console));
        assertTrue(
            Files.readString(console).contains("root=PARTUUID="),
            "booted by the disk's own loader entry");
      } finally {
        qemu.destroyForcibly().waitFor();
      }
    } finally {
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  /**
   * Boots {@code disk} under OVMF on TCG with fresh UEFI variables in {@code dir}, the guest's port
   * 80 forwarded to 127.0.0.1:{@code port}, the serial console in {@code dir}/console.log.
   */
  static Process startQemu(Path dir, Path disk, String format, int port, List<String> extra)
      throws IOException {
    Path vars = dir.resolve("OVMF_VARS.fd");
    Files.copy(
        Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    List<String> command =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-machine",
                "q35",
                "-accel",
                "tcg",
                "-m",
                "1024",
                "-display",
                "none",
                "-no-reboot",
                "-drive",
                "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive",
                "if=pflash,format=raw,file=" + vars,
                "-drive",
                "if=virtio,format=" + format + ",file=" + disk,
                "-netdev",
                "user,id=n0,hostfwd=tcp:127.0.0.1:" + port + "-:80",
                "-device",
                "virtio-net-pci,netdev=n0",
                "-serial",
                "file:" + dir.resolve("console.log")));
    command.addAll(extra);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("qemu.log").toFile())
        .start();
  }

  static boolean waitForHttp(int port, Process qemu) throws InterruptedException {
    long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && qemu.isAlive()) {
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + "/healthz").toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(2000);
        if (c.getResponseCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // the guest is still booting
      }
      Thread.sleep(2000);
    }
    return false;
  }

  static String tail(Path console) throws IOException {
    if (!Files.exists(console)) {
      return "(no console output)";
    }
    List<String> lines = Files.readAllLines(console, java.nio.charset.StandardCharsets.ISO_8859_1);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
