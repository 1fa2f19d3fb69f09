package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.instance.InstanceManager;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "logs",
    description = "Print an instance's console (all boots); -f keeps following it while it runs.")
final class LogsCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new console output until the instance stops.")
  boolean follow;

  @Override
  public Integer call() {
    try {
      new InstanceManager(dirs()).logs(name, follow, System.out);
    } catch (IOException e) {
      throw new ApplianceException("cannot read the console of " + name + ": " + e.getMessage(), e);
    }
    return 0;
  }
}
