package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "prune",
    description =
        "Remove every named volume no instance (running or stopped) attaches;"
            + " prints each name removed.")
final class VolumePruneCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    List<VolumeInfo> removed = new InstanceManager(dirs()).pruneVolumes();
    long freed = removed.stream().mapToLong(VolumeInfo::bytesOnDisk).sum();
    if (output.json) {
      out().println(Json.write(new Pruned(removed.stream().map(VolumeInfo::name).toList(), freed)));
      return 0;
    }
    removed.forEach(v -> out().println(v.name()));
    if (!output.quiet) {
      err()
          .println(
              "removed "
                  + removed.size()
                  + (removed.size() == 1 ? " volume" : " volumes")
                  + ", freed "
                  + Sizes.human(freed));
    }
    return 0;
  }

  /** What --json prints. */
  record Pruned(List<String> removed, long bytesFreed) {}
}
