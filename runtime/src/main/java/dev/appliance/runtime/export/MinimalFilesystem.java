package dev.appliance.runtime.export;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.disk.HostTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A root filesystem shrunk to its smallest, as a root-slot artifact carries it. Free space is most
 * of a root disk (LAMP: 1.1 GB of files on 4 GiB), and every update would otherwise decompress and
 * write those zeros in the guest. The guest's updater grows the filesystem to fill its slot once it
 * has written it.
 */
final class MinimalFilesystem {
  private MinimalFilesystem() {}

  /**
   * Writes a shrunk copy of {@code rootFs} to {@code work} and returns it; {@code rootFs} (the
   * cached disk) is left as it is.
   */
  static Path of(Path rootFs, Path work) {
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
    // On a regular file, resize2fs also truncates it to the new size.
    HostTool.run(List.of("resize2fs", "-M", copy.toString()), work);
    return copy;
  }
}
