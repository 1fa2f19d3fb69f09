package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.runtime.instance.ImageLimits;
import dev.appliance.testsupport.OvmfMachine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The state volume an exported disk expects keeps the appliance's data across a restart from a
 * fresh root disk, as a KubeVirt VM with a blank DataVolume does across restarts and upgrades of
 * its containerDisk. Plain qemu-system-x86_64 (OVMF, TCG) plays KubeVirt's part: the state volume
 * is a blank raw file attached with the serial the manifest gives the DataVolume's disk. The image
 * is a small Debian trixie (mmdebstrap) whose record-boot unit appends the boot id to a file in the
 * state directory /var/lib/appstate, which busybox httpd serves; the first-boot script under test
 * is the base recipe's, added as a layer on top.
 */
@Tag("boot")
class StateVolumeBootTest {
  private static final Path WORK = Path.of("target/state-boot").toAbsolutePath();
  private static Path rootfs;

  @BeforeAll
  static void buildImage() throws IOException {
    rootfs =
        TrixieRootfs.build(
            WORK,
            "rootfs.tar",
            "e2fsprogs",
            TrixieRootfs.webServer("/var/lib/appstate", "network.target record-boot.service", "")
                + """
                printf '[Unit]\\nAfter=local-fs.target\\n[Service]\\nType=oneshot\\nExecStart=/bin/sh -c "cat /proc/sys/kernel/random/boot_id >> /var/lib/appstate/boots; sync"\\n[Install]\\nWantedBy=multi-user.target\\n' > "$R/etc/systemd/system/record-boot.service"
                chroot "$R" systemctl enable systemd-networkd record-boot.service healthz.service
                """);
  }

  @Test
  void stateWrittenBeforeARestartFromAFreshRootDiskIsStillThere() throws Exception {
    Path dir = Files.createTempDirectory(WORK, "run-");
    try {
      ApplianceMetadata metadata = ExportBootTest.httpAppliance("statecheck");
      TestLayer layer = new TestLayer();
      BaseRecipeFiles.scripts(layer, "appliance-firstboot");
      BaseRecipeFiles.units(layer, "appliance-firstboot.service");
      Path firstboot =
          layer
              .symlink(
                  "etc/systemd/system/sysinit.target.wants/appliance-firstboot.service",
                  "/etc/systemd/system/appliance-firstboot.service")
              .writeTo(dir.resolve("firstboot.tar.gz"));
      Exporter exporter = ExportBootTest.exporter(dir, dir);
      ExportResult result =
          exporter.export(
              new ImageLayers("statecheck:1", "sha256:57a7e", List.of(rootfs, firstboot)),
              metadata,
              new ExportOptions(
                  ExportFormat.QCOW2,
                  dir.resolve("out"),
                  false,
                  null,
                  Map.of(),
                  Map.of(),
                  ImageLimits.DEFAULTS,
                  new StateVolume(List.of("/var/lib/appstate"), 64L << 20),
                  false,
                  UpdateChannel.NONE));
      // What a blank DataVolume is: zeros, no filesystem.
      Path state = dir.resolve("state.img");
      try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
        f.setLength(64L << 20);
      }

      List<String> first = bootAndReadBoots(dir.resolve("boot1"), result.disk(), state);
      assertEquals(1, first.size(), "first boot recorded once: " + first);
      assertEquals(
          "appliance-state",
          ExportTest.run("blkid", "-o", "value", "-s", "LABEL", state.toString()).strip(),
          "the blank volume was formatted and labelled by the guest");

      List<String> second = bootAndReadBoots(dir.resolve("boot2"), result.disk(), state);
      assertEquals(2, second.size(), "both boots recorded on the state volume: " + second);
      assertEquals(first.get(0), second.get(0), "the first boot's record survived the restart");
      assertTrue(!second.get(0).equals(second.get(1)), "two different boots");
    } finally {
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  /**
   * Boots a fresh copy of the exported root disk with {@code state} attached as the state volume,
   * waits for the health check (served from the state dir, so it also proves the dir was
   * initialised from the image), and returns the boot records the guest keeps there.
   */
  private static List<String> bootAndReadBoots(Path dir, Path disk, Path state) throws Exception {
    Files.createDirectories(dir);
    Path root = Files.copy(disk, dir.resolve("root.qcow2"));
    try (OvmfMachine guest =
        ExportBootTest.boot(
            OvmfMachine.in(dir).disk(root, "qcow2").diskWithSerial(state, StateVolume.SERIAL),
            root)) {
      assertTrue(
          guest.console().contains("appliance.state=/var/lib/appstate"),
          "boot entry names the dir");
      return guest.get("/boots").lines().toList();
    }
  }
}
