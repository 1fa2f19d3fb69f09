package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "ls",
    description =
        "List named volumes: name, space taken on the host, size seen by the guest,"
            + " and the instances (running or not) that attach it.")
final class VolumeLsCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    List<VolumeInfo> volumes = new InstanceManager(dirs()).volumes();
    if (output.json) {
      out().println(Json.write(volumes.stream().map(VolumeView.VolumeJson::of).toList()));
    } else if (output.quiet) {
      volumes.forEach(v -> out().println(v.name()));
    } else {
      VolumeView.table(volumes, out());
    }
    return 0;
  }
}
