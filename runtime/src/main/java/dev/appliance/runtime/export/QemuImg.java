package dev.appliance.runtime.export;

import dev.appliance.runtime.disk.HostTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code qemu-img convert}, the one tool every exported disk format goes through. */
final class QemuImg {
  private QemuImg() {}

  /**
   * Converts {@code from} (in {@code fromFormat}) to {@code to} in {@code toFormat}.
   *
   * @param options more arguments before the file names, e.g. {@code -c} or {@code -o
   *     subformat=...}
   * @return {@code to}
   */
  static Path convert(
      Path from, String fromFormat, Path to, String toFormat, Path work, String... options) {
    List<String> command =
        new ArrayList<>(List.of("qemu-img", "convert", "-q", "-f", fromFormat, "-O", toFormat));
    command.addAll(List.of(options));
    command.add(from.toString());
    command.add(to.toString());
    HostTool.run(command, work);
    return to;
  }

  /** A stream-optimized VMDK (compressed, written in one pass), as OVA and AWS import read it. */
  static Path streamOptimizedVmdk(Path raw, Path vmdk, Path work) {
    return convert(raw, "raw", vmdk, "vmdk", work, "-o", "subformat=streamOptimized");
  }
}
