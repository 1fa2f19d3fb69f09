package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "rm",
    description = {
      "Remove named volumes and the data on them; prints each name removed.",
      "Refuses, removing none, while an instance (running or stopped) attaches one: rm that instance first."
    })
final class VolumeRmCommand extends BaseCommand {
  @Parameters(paramLabel = "NAME", arity = "1..*")
  List<String> names;

  @Override
  public Integer call() {
    new InstanceManager(dirs())
        .removeVolumes(names).stream().map(VolumeInfo::name).forEach(out()::println);
    return 0;
  }
}
