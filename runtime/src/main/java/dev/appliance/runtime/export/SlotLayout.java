package dev.appliance.runtime.export;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The disk of a self-updating export (docs/export.md "Updates"): after the ESP, root slots A and B
 * of the same size (A holds the image, B is empty until the first update) and a data partition, an
 * ext4 filesystem labelled {@value #DATA_LABEL} (the state volume's label, so the first-boot unit
 * mounts it and binds the state directories from it as it does a state disk). The data partition
 * starts with the updater's configuration: what it follows, the CA and signing key it trusts, the
 * kernel options every slot's entry shares, and slot A's image digest and health check.
 */
final class SlotLayout {
  static final String ESP_NAME = "esp";
  static final String SLOT_A = "root-a";
  static final String SLOT_B = "root-b";
  static final String DATA = "data";
  static final String DATA_LABEL = StateVolume.SERIAL;

  /** Slot A's loader entry: no boot counter, it is the known-good slot. */
  static final String ENTRY_A = "slot-a.conf";

  static final String BOOT_DIR_A = "/slot-a";

  private SlotLayout() {}

  /**
   * @param uuids partition GUIDs by purpose ("root-a", "root-b", "data")
   */
  static List<UefiDisk.Partition> partitions(
      Path rootFs,
      Path dataImage,
      long dataBytes,
      java.util.function.Function<String, String> uuids)
      throws IOException {
    long slotBytes = UefiDisk.roundUp(Files.size(rootFs), UefiDisk.MIB);
    return List.of(
        new UefiDisk.Partition(SLOT_A, UefiDisk.ROOT_TYPE, uuids.apply(SLOT_A), slotBytes, rootFs),
        new UefiDisk.Partition(SLOT_B, UefiDisk.ROOT_TYPE, uuids.apply(SLOT_B), slotBytes, null),
        new UefiDisk.Partition(
            DATA,
            UefiDisk.LINUX_DATA_TYPE,
            uuids.apply(DATA),
            UefiDisk.roundUp(dataBytes, UefiDisk.MIB),
            dataImage));
  }

  /** Slot A's kernel options: the shared ones plus its root and slot name. */
  static String slotAOptions(String rootPartUuid, String shared) {
    return "root=PARTUUID=" + rootPartUuid + " appliance.slot=a " + shared;
  }

  /**
   * Writes the data partition's filesystem (made without root: mke2fs -d; the guest's updater makes
   * its files root's at first boot).
   *
   * @param imageDigest the exported image's manifest digest: slot A's version
   * @param shared kernel options every slot's entry carries after root= and appliance.slot=
   */
  static Path dataPartition(
      UpdateChannel channel,
      String imageDigest,
      ApplianceMetadata metadata,
      String shared,
      Path work)
      throws IOException {
    Path tree = work.resolve("data-tree");
    Path update = Files.createDirectories(tree.resolve("update"));
    Path slotA = Files.createDirectories(tree.resolve("slots/a"));
    if (channel.follow() != null) {
      Files.writeString(update.resolve("follow"), channel.follow() + "\n");
    }
    if (channel.caCert() != null) {
      Files.copy(channel.caCert(), update.resolve("ca.pem"));
    }
    if (channel.signingKey() != null) {
      Files.copy(channel.signingKey(), update.resolve("key.pub"));
    }
    Files.writeString(update.resolve("options"), shared + "\n");
    Files.writeString(slotA.resolve("digest"), imageDigest + "\n");
    Files.writeString(slotA.resolve("health"), GuestHealth.line(metadata) + "\n");
    Path image = work.resolve("data.img");
    List<String> mke2fs =
        new ArrayList<>(
            List.of(
                "mke2fs",
                "-q",
                "-t",
                "ext4",
                "-L",
                DATA_LABEL,
                "-E",
                "root_owner=0:0",
                "-d",
                tree.toString(),
                image.toString(),
                (UefiDisk.roundUp(channel.dataBytes(), UefiDisk.MIB) / 1024) + "k"));
    HostTool.run(mke2fs, work);
    return image;
  }
}
