package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "ps",
    description = {
      "List instances: name, image, engine, state and published ports.",
      "States: created, starting, running (booting until healthy), stopping, stopped, failed,"
          + " dead (its supervisor was killed; start or rm it)."
    })
final class PsCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    List<InstanceInfo> instances = new InstanceManager(dirs()).list();
    if (output.json) {
      out().println(Json.write(instances.stream().map(InstanceView.InstanceJson::of).toList()));
    } else if (output.quiet) {
      instances.forEach(i -> out().println(i.name()));
    } else {
      InstanceView.table(instances, out());
    }
    return 0;
  }
}
