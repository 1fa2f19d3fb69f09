package dev.appliance.runtime.export;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A root filesystem shrunk to its smallest, as a root-slot artifact carries it. Free space is most
 * of a root disk (LAMP: 1.1 GB of files on 4 GiB), and every update would otherwise decompress,
 * write and read back those zeros in the guest. The guest's updater grows the filesystem to fill
 * its slot once the slot reads back as this image.
 */
final class MinimalFilesystem {
  private MinimalFilesystem() {}

  /**
   * Writes a shrunk copy of {@code rootFs} to {@code work} and returns it; {@code rootFs} (the
   * cached disk) is left as it is.
   */
  static Path of(Path rootFs, Path work) throws IOException {
    Path copy = work.resolve("rootfs.ext4");
    HostTool.run(List.of("cp", "--sparse=always", rootFs.toString(), copy.toString()), work);
    // resize2fs shrinks only a filesystem e2fsck has just passed; exit 1 means it fixed something
    // harmless (free counts that mke2fs -d leaves for the first check).
    HostTool.Result check =
        HostTool.runAllowingFailure(List.of("e2fsck", "-f", "-y", copy.toString()), work, Map.of());
    if (check.exitCode() > 1) {
      throw new ApplianceException(
          "e2fsck found errors in the root disk "
              + rootFs
              + " (exit "
              + check.exitCode()
              + "): "
              + (check.stdout() + check.stderr()).strip());
    }
    HostTool.run(List.of("resize2fs", "-M", copy.toString()), work);
    long bytes = size(HostTool.run(List.of("dumpe2fs", "-h", copy.toString()), work).stdout());
    try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
      file.setLength(bytes); // resize2fs leaves a regular file at its old length
    }
    return copy;
  }

  /** The filesystem's size in bytes, from {@code dumpe2fs -h}. */
  static long size(String dumpe2fs) {
    long blocks = field(dumpe2fs, "Block count:");
    long blockSize = field(dumpe2fs, "Block size:");
    return blocks * blockSize;
  }

  private static long field(String dumpe2fs, String name) {
    return dumpe2fs
        .lines()
        .filter(line -> line.startsWith(name))
        .map(line -> Long.parseLong(line.substring(name.length()).strip()))
        .findFirst()
        .orElseThrow(() -> new ApplianceException("dumpe2fs printed no '" + name + "'"));
  }
}
