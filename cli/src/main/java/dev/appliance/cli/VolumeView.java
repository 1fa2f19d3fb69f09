package dev.appliance.cli;

import dev.appliance.runtime.instance.VolumeInfo;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How volumes look on the terminal and in --json. */
final class VolumeView {
    private VolumeView() {}

    static Map<String, Object> json(VolumeInfo volume) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", volume.name());
        json.put("disk", volume.disk().toString());
        json.put("bytesOnDisk", volume.bytesOnDisk());
        json.put("capacityBytes", volume.capacityBytes());
        json.put("instances", volume.instances());
        return json;
    }

    static void table(List<VolumeInfo> volumes, PrintWriter out) {
        String format = "%-32s %10s %10s  %s%n";
        out.printf(format, "NAME", "ON DISK", "SIZE", "INSTANCES");
        for (VolumeInfo v : volumes) {
            out.printf(format, v.name(), Sizes.human(v.bytesOnDisk()), Sizes.human(v.capacityBytes()),
                    v.instances().isEmpty() ? "-" : String.join(", ", v.instances()));
        }
        out.flush();
    }
}
