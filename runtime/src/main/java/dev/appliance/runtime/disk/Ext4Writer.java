package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Makes an ext4 image file from a merged tree: {@code mke2fs -d} copies the staged directories and
 * files, then one debugfs batch writes what a user cannot put in a directory (owners, setuid modes,
 * devices, xattrs). The same steps run for root and for other users, so both get the same
 * filesystem content.
 */
final class Ext4Writer {
  /** The root filesystem's label; guests may mount it as LABEL=root. */
  static final String LABEL = "root";

  private Ext4Writer() {}

  static void write(
      ImageTree tree,
      StagingDirectory staging,
      Path image,
      long sizeBytes,
      String seed,
      Path workDir)
      throws IOException {
    NavigableMap<String, Node> nodes = tree.nodes();
    staging.applyModificationTimes(nodes);
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(sizeBytes);
    }
    // A UUID and hash seed derived from the image digest keep the filesystem reproducible.
    String uuid = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    HostTool.Result mkfs =
        HostTool.runAllowingFailure(
            List.of(
                "mke2fs",
                "-q",
                "-F",
                "-t",
                "ext4",
                "-L",
                LABEL,
                "-U",
                uuid,
                "-E",
                "hash_seed=" + uuid + ",root_owner=0:0",
                "-d",
                staging.root().toString(),
                image.toString()),
            workDir,
            Map.of());
    if (mkfs.exitCode() != 0) {
      throw new ApplianceException(
          "mke2fs could not build a "
              + sizeBytes
              + "-byte root disk"
              + " (is the image's disk size too small for its files?): "
              + mkfs.stderr().strip());
    }
    long uid = (Integer) Files.getAttribute(staging.root(), "unix:uid");
    long gid = (Integer) Files.getAttribute(staging.root(), "unix:gid");
    Path script = workDir.resolve("debugfs.script");
    Path values = Files.createDirectory(workDir.resolve("xattr-values"));
    DebugfsScript.write(nodes, script, values, uid, gid);
    HostTool.Result fix =
        HostTool.run(List.of("debugfs", "-w", "-f", script.toString(), image.toString()), workDir);
    String errors =
        fix.stderr()
            .lines()
            .filter(line -> !line.startsWith("debugfs ") && !line.isBlank())
            .collect(Collectors.joining("\n"));
    if (!errors.isEmpty()) {
      throw new ApplianceException(
          "debugfs could not set file metadata on the root disk: " + errors);
    }
  }
}
