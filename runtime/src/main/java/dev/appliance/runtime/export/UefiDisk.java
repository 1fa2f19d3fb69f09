package dev.appliance.runtime.export;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole disk that boots on its own under UEFI: GPT with an EFI system partition (FAT32, made with
 * mkfs.vfat and mtools on an image file, no root needed) holding the image's systemd-boot as the
 * removable-media fallback loader {@code \EFI\BOOT\BOOTX64.EFI}, one loader entry with the image's
 * own kernel, initrd and command line, then the partitions the layout asks for (one root; or root
 * slots A and B and a data partition, see {@link SlotLayout}).
 */
final class UefiDisk {
  static final long MIB = 1L << 20;
  private static final long SECTOR = 512;
  static final String ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

  /** Discoverable Partitions Specification: root partition (x86-64). */
  static final String ROOT_TYPE = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";

  /** Generic Linux data partition. */
  static final String LINUX_DATA_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

  /**
   * A partition after the ESP.
   *
   * @param name GPT partition name (the guest finds it by /dev/disk/by-partlabel/NAME)
   * @param bytes size, a whole number of MiB
   * @param content filesystem image copied in at its start; null: left empty (zeros)
   */
  record Partition(String name, String type, String uuid, long bytes, Path content) {}

  /**
   * @param bootloader the image's systemd-bootx64.efi
   * @param espName GPT name of the EFI system partition
   * @param bootDir directory on the ESP for the kernel and initrd ("" for the top level)
   * @param entry loader entry file name, the default entry
   * @param options the kernel command line of that entry
   */
  record Spec(
      Path kernel,
      Path initrd,
      Path bootloader,
      String diskGuid,
      String espGuid,
      String espName,
      String bootDir,
      String entry,
      String options,
      List<Partition> partitions) {}

  private UefiDisk() {}

  static void write(Spec spec, Path out, Path work) throws IOException {
    long payload =
        Files.size(spec.kernel())
            + (spec.initrd() == null ? 0 : Files.size(spec.initrd()))
            + Files.size(spec.bootloader());
    // FAT32 wants at least ~33 MiB; room for a second kernel (a root slot's, or one by hand).
    long espBytes = Math.max(64 * MIB, roundUp(payload * 2 + 16 * MIB, MIB));
    long espStart = MIB;

    Path esp = work.resolve("esp.img");
    makeEsp(spec, esp, espBytes, work);

    StringBuilder table =
        new StringBuilder("label: gpt\nlabel-id: ")
            .append(spec.diskGuid())
            .append("\nunit: sectors\n");
    appendPartition(table, espStart, espBytes, ESP_TYPE, spec.espGuid(), spec.espName());
    long start = espStart + espBytes;
    List<Long> starts = new ArrayList<>();
    for (Partition partition : spec.partitions()) {
      starts.add(start);
      appendPartition(
          table, start, partition.bytes(), partition.type(), partition.uuid(), partition.name());
      start += partition.bytes();
    }
    long total = start + MIB; // the backup GPT lives in the last MiB
    try (RandomAccessFile file = new RandomAccessFile(out.toFile(), "rw")) {
      file.setLength(total);
    }
    Path script = work.resolve("sfdisk.script");
    Files.writeString(script, table);
    List<String> sfdisk =
        List.of(
            "sh",
            "-c",
            "exec \"$0\" --quiet --no-reread --no-tell-kernel \"$1\" < \"$2\"",
            HostTool.find("sfdisk").toString(),
            out.toString(),
            script.toString());
    HostTool.run(sfdisk, work);
    copySparse(esp, out, espStart);
    for (int i = 0; i < spec.partitions().size(); i++) {
      Path content = spec.partitions().get(i).content();
      if (content != null) {
        copySparse(content, out, starts.get(i));
      }
    }
  }

  private static void appendPartition(
      StringBuilder table, long start, long bytes, String type, String uuid, String name) {
    table
        .append("start=")
        .append(start / SECTOR)
        .append(", size=")
        .append(bytes / SECTOR)
        .append(", type=")
        .append(type)
        .append(", uuid=")
        .append(uuid)
        .append(", name=\"")
        .append(name)
        .append("\"\n");
  }

  private static void makeEsp(Spec spec, Path esp, long bytes, Path work) throws IOException {
    HostTool.run(
        List.of(
            "mkfs.vfat",
            "-F",
            "32",
            "-n",
            "EFI",
            "-i",
            spec.espGuid().substring(0, 8),
            "-C",
            esp.toString(),
            Long.toString(bytes / 1024)),
        work);
    Path loaderConf =
        Files.writeString(work.resolve("loader.conf"), "default " + spec.entry() + "\ntimeout 0\n");
    String dir = spec.bootDir();
    Path entry =
        Files.writeString(
            work.resolve(spec.entry()),
            "title appliance\nlinux "
                + dir
                + "/vmlinuz\n"
                + (spec.initrd() == null ? "" : "initrd " + dir + "/initrd.img\n")
                + "options "
                + spec.options()
                + "\n");
    String img = esp.toString();
    List<String> mmd =
        new ArrayList<>(
            List.of("mmd", "-i", img, "::/EFI", "::/EFI/BOOT", "::/loader", "::/loader/entries"));
    if (!dir.isEmpty()) {
      mmd.add("::" + dir);
    }
    HostTool.run(mmd, work);
    mcopy(img, spec.bootloader(), "::/EFI/BOOT/BOOTX64.EFI", work);
    mcopy(img, spec.kernel(), "::" + dir + "/vmlinuz", work);
    if (spec.initrd() != null) {
      mcopy(img, spec.initrd(), "::" + dir + "/initrd.img", work);
    }
    mcopy(img, loaderConf, "::/loader/loader.conf", work);
    mcopy(img, entry, "::/loader/entries/" + spec.entry(), work);
  }

  private static void mcopy(String image, Path source, String target, Path work) {
    HostTool.run(List.of("mcopy", "-i", image, source.toString(), target), work);
  }

  /**
   * Copies {@code source} into {@code target} at {@code offset}, leaving all-zero MiBs as holes.
   */
  static void copySparse(Path source, Path target, long offset) throws IOException {
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocateDirect((int) MIB);
      long position = 0;
      while (true) {
        buffer.clear();
        int n = in.read(buffer, position);
        if (n <= 0) {
          break;
        }
        buffer.flip();
        if (!allZero(buffer)) {
          long at = offset + position;
          while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
          }
        }
        position += n;
      }
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot write the exported disk " + target + ": " + e.getMessage(), e);
    }
  }

  private static boolean allZero(ByteBuffer b) {
    int i = b.position();
    for (; i + 8 <= b.limit(); i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  static long roundUp(long value, long unit) {
    return (value + unit - 1) / unit * unit;
  }
}
