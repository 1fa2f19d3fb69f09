package dev.appliance.runtime.backup;

import dev.appliance.runtime.disk.HostTool;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which chunks of a sparse file hold data, from the host filesystem's extent map ({@code filefrag
 * -e}, the FIEMAP ioctl; e2fsprogs, already needed for volumes). Java cannot seek to data, and
 * reading the holes of a 16 GiB volume costs minutes of system time on a busy host; with the map,
 * holes cost nothing. Where the filesystem has no FIEMAP (tmpfs), every chunk is read instead.
 */
final class DataExtents {
  private static final Pattern UNIT = Pattern.compile("blocks of (\\d+) bytes");
  private static final Pattern EXTENT =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\.\\.\\s*(\\d+):", Pattern.MULTILINE);

  private DataExtents() {}

  /** The chunks with at least one allocated byte, or empty when the map is not available. */
  static Optional<BitSet> chunksWithData(Path file, long chunkSize) {
    HostTool.Result result =
        HostTool.runAllowingFailure(
            List.of("filefrag", "-e", file.toAbsolutePath().toString()),
            file.toAbsolutePath().getParent(),
            HostTool.Options.SHORT);
    if (result.exitCode() != 0) {
      return Optional.empty();
    }
    return parse(result.stdout(), chunkSize);
  }

  static Optional<BitSet> parse(String filefrag, long chunkSize) {
    Matcher unit = UNIT.matcher(filefrag);
    if (!unit.find()) {
      return Optional.empty();
    }
    long block = Long.parseLong(unit.group(1));
    BitSet chunks = new BitSet();
    Matcher extent = EXTENT.matcher(filefrag);
    while (extent.find()) {
      long first = Long.parseLong(extent.group(1)) * block;
      long last = (Long.parseLong(extent.group(2)) + 1) * block - 1;
      chunks.set((int) (first / chunkSize), (int) (last / chunkSize) + 1);
    }
    return Optional.of(chunks);
  }
}
