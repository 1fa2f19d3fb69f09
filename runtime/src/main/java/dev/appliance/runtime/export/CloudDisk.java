package dev.appliance.runtime.export;

import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns an exported raw GPT/UEFI disk into what a public cloud imports: Azure's fixed VHD, Google
 * Cloud's {@code disk.raw} in a gzipped tar, AWS's stream-optimized VMDK. Each conversion is done
 * by the tool that defines the format ({@code qemu-img}, GNU tar).
 */
final class CloudDisk {
  static final long GIB = 1L << 30;

  private CloudDisk() {}

  /**
   * Azure: a fixed VHD whose virtual size is a whole number of MiB (the raw disk already is) and
   * exactly the raw size: {@code force_size} stops qemu-img rounding it to CHS geometry, which
   * Azure rejects.
   */
  static Path azureVhd(Path raw, Path vhd, Path work) {
    return QemuImg.convert(raw, "raw", vhd, "vpc", work, "-o", "subformat=fixed,force_size=on");
  }

  /** AWS: a stream-optimized VMDK, the compressed form {@code ec2 import-snapshot} accepts. */
  static Path awsVmdk(Path raw, Path vmdk, Path work) {
    return QemuImg.streamOptimizedVmdk(raw, vmdk, work);
  }

  /**
   * Google Cloud: a gzipped tar holding one sparse file named {@code disk.raw} in GNU's oldgnu
   * format, the layout GCE's image import reads. GCE wants the disk size in whole GiB, so the disk
   * grows to the next GiB and its backup GPT moves to the new end.
   */
  static Path gceTarGz(Path raw, Path tarGz, Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve("gce"));
    Path disk = Files.move(raw, dir.resolve("disk.raw"));
    long size = Files.size(disk);
    long grown = UefiDisk.roundUp(size, GIB);
    if (grown != size) {
      try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
        file.setLength(grown);
      }
      HostTool.run(
          List.of(
              HostTool.find("sfdisk").toString(),
              "--quiet",
              "--no-reread",
              "--no-tell-kernel",
              "--relocate",
              "gpt-bak-std",
              disk.toString()),
          work);
    }
    HostTool.run(
        List.of(
            "tar",
            "--format=oldgnu",
            "--sparse",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "-czf",
            tarGz.toString(),
            "-C",
            dir.toString(),
            "disk.raw"),
        work);
    Files.move(disk, raw);
    return tarGz;
  }
}
