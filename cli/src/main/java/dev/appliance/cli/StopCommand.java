package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "stop",
    description = {
      "Power instances off cleanly; kill them when they have not stopped after the timeout.",
      "The disk keeps what the guest wrote: start brings it back."
    })
final class StopCommand extends BaseCommand {
  @Parameters(paramLabel = "NAME", arity = "1..*")
  List<String> names;

  @Option(
      names = {"-t", "--time"},
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Seconds to wait for a clean power-off before killing (default: ${DEFAULT-VALUE}).")
  long seconds;

  @Override
  public Integer call() {
    InstanceManager manager = new InstanceManager(dirs());
    for (String name : names) {
      manager.stop(name, Duration.ofSeconds(seconds));
      out().println(name);
    }
    return 0;
  }
}
