package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The small Debian trixie roots the export boot tests boot under plain QEMU (mmdebstrap, minbase:
 * systemd, udev, the cloud kernel, systemd-boot, busybox; networkd on every Ethernet link by DHCP),
 * each built once and kept under target/ as a tar layer.
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
    Path rootfs = work.resolve(name);
    if (Files.exists(rootfs)) {
      return rootfs;
    }
    Path hook = work.resolve(name + ".customize.sh");
    Files.writeString(
        hook,
        """
        #!/bin/sh
        set -e
        R="$1"
        mkdir -p "$R/etc/systemd/network"
        printf '[Match]\\nName=en* eth*\\n[Network]\\nDHCP=ipv4\\n' > "$R/etc/systemd/network/10-any.network"
        """
            + customize);
    Path partial = work.resolve(name + ".part");
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
}
