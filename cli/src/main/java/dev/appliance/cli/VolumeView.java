package dev.appliance.cli;

import dev.appliance.runtime.instance.VolumeInfo;
import java.io.PrintWriter;
import java.util.List;

/** How volumes look on the terminal and in --json. */
final class VolumeView {
  private VolumeView() {}

  /** A volume in --json. */
  record VolumeJson(
      String name, String disk, long bytesOnDisk, long capacityBytes, List<String> instances) {
    static VolumeJson of(VolumeInfo v) {
      return new VolumeJson(
          v.name(), v.disk().toString(), v.bytesOnDisk(), v.capacityBytes(), v.instances());
    }
  }

  static void table(List<VolumeInfo> volumes, PrintWriter out) {
    String format = "%-32s %10s %10s  %s%n";
    out.printf(format, "NAME", "ON DISK", "SIZE", "INSTANCES");
    for (VolumeInfo v : volumes) {
      out.printf(
          format,
          v.name(),
          Sizes.human(v.bytesOnDisk()),
          Sizes.human(v.capacityBytes()),
          v.instances().isEmpty() ? "-" : String.join(", ", v.instances()));
    }
    out.flush();
  }
}
