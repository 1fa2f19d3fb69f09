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
import java.util.List;

/**
 * A whole disk that boots on its own under UEFI: GPT with an EFI system partition (FAT32, made with
 * mkfs.vfat and mtools on an image file, no root needed) holding the image's systemd-boot as the
 * removable-media fallback loader {@code \EFI\BOOT\BOOTX64.EFI}, a loader entry with the image's
 * own kernel, initrd and command line ({@code root=PARTUUID=...}), and the assembled ext4 root disk
 * as the second partition.
 */
final class UefiDisk {
  static final long MIB = 1L << 20;
  private static final long SECTOR = 512;
  private static final String ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

  /** Discoverable Partitions Specification: root partition (x86-64). */
  private static final String ROOT_TYPE = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";

  /**
   * @param bootloader the image's systemd-bootx64.efi
   * @param rootPartUuid the root partition's unique GUID, named on the kernel command line
   * @param kernelCmdline extra arguments from the image metadata
   */
  record Spec(
      Path rootFs,
      Path kernel,
      Path initrd,
      Path bootloader,
      String diskGuid,
      String espGuid,
      String rootPartUuid,
      String kernelCmdline) {}

  private UefiDisk() {}

  static void write(Spec spec, Path out, Path work) throws IOException {
    long payload =
        Files.size(spec.kernel())
            + (spec.initrd() == null ? 0 : Files.size(spec.initrd()))
            + Files.size(spec.bootloader());
    // FAT32 wants at least ~33 MiB; leave room for a kernel update by hand.
    long espBytes = Math.max(64 * MIB, roundUp(payload * 2 + 16 * MIB, MIB));
    long rootBytes = roundUp(Files.size(spec.rootFs()), MIB);
    long espStart = MIB;
    long rootStart = espStart + espBytes;
    long total = rootStart + rootBytes + MIB; // the backup GPT lives in the last MiB

    Path esp = work.resolve("esp.img");
    makeEsp(spec, esp, espBytes, work);

    try (RandomAccessFile file = new RandomAccessFile(out.toFile(), "rw")) {
      file.setLength(total);
    }
    String table =
        "label: gpt\n"
            + "label-id: "
            + spec.diskGuid()
            + "\n"
            + "unit: sectors\n"
            + "start="
            + espStart / SECTOR
            + ", size="
            + espBytes / SECTOR
            + ", type="
            + ESP_TYPE
            + ", uuid="
            + spec.espGuid()
            + ", name=\"EFI system\"\n"
            + "start="
            + rootStart / SECTOR
            + ", size="
            + rootBytes / SECTOR
            + ", type="
            + ROOT_TYPE
            + ", uuid="
            + spec.rootPartUuid()
            + ", name=\"root\"\n";
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
    copySparse(spec.rootFs(), out, rootStart);
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
    String options =
        ("root=PARTUUID="
                + spec.rootPartUuid()
                + " rw console=tty0 console=ttyS0,115200 "
                + spec.kernelCmdline())
            .strip();
    Path loaderConf =
        Files.writeString(work.resolve("loader.conf"), "default appliance.conf\ntimeout 0\n");
    Path entry =
        Files.writeString(
            work.resolve("appliance.conf"),
            "title appliance\nlinux /vmlinuz\n"
                + (spec.initrd() == null ? "" : "initrd /initrd.img\n")
                + "options "
                + options
                + "\n");
    String img = esp.toString();
    HostTool.run(
        List.of("mmd", "-i", img, "::/EFI", "::/EFI/BOOT", "::/loader", "::/loader/entries"), work);
    mcopy(img, spec.bootloader(), "::/EFI/BOOT/BOOTX64.EFI", work);
    mcopy(img, spec.kernel(), "::/vmlinuz", work);
    if (spec.initrd() != null) {
      mcopy(img, spec.initrd(), "::/initrd.img", work);
    }
    mcopy(img, loaderConf, "::/loader/loader.conf", work);
    mcopy(img, entry, "::/loader/entries/appliance.conf", work);
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
