package dev.appliance.runtime.export;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The small Debian trixie roots the export boot tests boot under plain QEMU (mmdebstrap, minbase:
 * systemd, udev, the cloud kernel, systemd-boot, busybox; networkd on every Ethernet link by DHCP),
 * each built once and kept under target/ as a tar layer, its name keyed by what went into it.
 * Without what no test guest reads (translations, documentation, udev's hardware database: about a
 * third of the 247 MB tree): every export, and every update UpdateBootTest downloads and writes
 * under TCG, moves less. With the base recipe's masks (no gettys, timers or first-boot catch-up
 * jobs), as an appliance boots.
 */
final class TrixieRootfs {
  private static final String PACKAGES =
      "systemd-sysv,udev,linux-image-cloud-amd64,systemd-boot-efi,busybox";

  private TrixieRootfs() {}

  /**
   * The root {@code work/name}, built now when missing.
   *
   * @param extraPackages more packages, comma-separated, or empty
   * @param customize shell lines run as mmdebstrap's customize hook, with {@code $R} the root
   */
  static Path build(Path work, String name, String extraPackages, String customize)
      throws IOException {
    assumeTrue(HostTools.isRoot(), "mmdebstrap builds the test image as root");
    Files.createDirectories(work);
    String script =
        """
        #!/bin/sh
        set -e
        R="$1"
        mkdir -p "$R/etc/systemd/network"
        printf '[Match]\\nName=en* eth*\\n[Network]\\nDHCP=ipv4\\n' > "$R/etc/systemd/network/10-any.network"
        rm -rf "$R"/usr/share/locale/* "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/*
        # Interface names come from udev's net_id builtin, not from the hardware database.
        rm -rf "$R"/usr/lib/udev/hwdb.d "$R"/usr/lib/udev/hwdb.bin
        # What the base recipe masks, as an appliance's root has it: no gettys, timers or
        # first-boot catch-up jobs in the boots under TCG either.
        for unit in %s; do ln -sf /dev/null "$R/etc/systemd/system/$unit"; done
        """
                .formatted(String.join(" ", BaseRecipeFiles.maskedUnits()))
            + customize;
    // A changed package list or hook makes another file: a kept target/ never serves a stale root.
    String key = sha256(PACKAGES + "," + extraPackages + "\n" + script).substring(0, 12);
    Path rootfs = work.resolve(name.replaceFirst("\\.tar$", "") + "-" + key + ".tar");
    if (Files.exists(rootfs)) {
      return rootfs;
    }
    Path hook = work.resolve(rootfs.getFileName() + ".customize.sh");
    Files.writeString(hook, script);
    Path partial = work.resolve(rootfs.getFileName() + ".part");
    // No mirror argument: mmdebstrap takes the host's apt sources.
    HostTool.run(
        List.of(
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            "--format=tar",
            "--include=" + PACKAGES + (extraPackages.isEmpty() ? "" : "," + extraPackages),
            "--customize-hook=sh " + hook + " \"$1\"",
            "trixie",
            partial.toString()),
        work);
    Files.move(partial, rootfs, StandardCopyOption.ATOMIC_MOVE);
    return rootfs;
  }

  /**
   * Hook lines for the guest's web server, the unit healthz.service (enabled by the caller):
   * busybox httpd on port 80 serving {@code dir}, which holds a healthz file saying ok.
   *
   * @param after the units it starts after
   * @param serviceLines more [Service] lines, each ending in a literal \n, or empty
   */
  static String webServer(String dir, String after, String serviceLines) {
    return String.join(
        "\n",
        "mkdir -p \"$R" + dir + "\"",
        "echo ok > \"$R" + dir + "/healthz\"",
        "printf '[Unit]\\nAfter="
            + after
            + "\\n[Service]\\n"
            + serviceLines
            + "ExecStart=/bin/busybox httpd -f -p 80 -h "
            + dir
            + "\\n[Install]\\nWantedBy=multi-user.target\\n'"
            + " > \"$R/etc/systemd/system/healthz.service\"",
        "");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
