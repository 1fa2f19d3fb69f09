package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "rm",
    description = "Remove stopped instances and their disks; named volumes are kept.")
final class RmCommand extends BaseCommand {
  @Parameters(paramLabel = "NAME", arity = "1..*")
  List<String> names;

  @Option(
      names = {"-f", "--force"},
      description = "Stop running instances first.")
  boolean force;

  @Override
  public Integer call() {
    InstanceManager manager = new InstanceManager(dirs());
    for (String name : names) {
      manager.remove(name, force);
      out().println(name);
    }
    return 0;
  }
}
