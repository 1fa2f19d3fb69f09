package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "start",
    description =
        "Start a stopped instance (detached) with its disk as it was, and wait until healthy.")
final class StartCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Mixin HealthTimeoutOption timeout;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    InstanceInfo info =
        new InstanceManager(dirs())
            .startAndAwait(name, timeout.orImageDefault(), line -> output.progress(err(), line));
    InstanceView.printStarted(info, output, out(), err());
    return 0;
  }
}
