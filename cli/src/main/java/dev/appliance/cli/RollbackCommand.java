package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "rollback",
    description = {
      "Boot the image an instance ran before its last upgrade again (the current one becomes the"
          + " previous one), and wait until healthy.",
      "Refused (exit 2) when a volume holds a newer data version than that image reads;"
          + " --restore-volumes then goes back to the snapshot taken before the upgrade."
    })
final class RollbackCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The instance.")
  String name;

  @Option(
      names = "--restore-volumes",
      description =
          "First copy each volume's snapshot NAME.pre-upgrade back over it: what was written"
              + " since the upgrade is lost.")
  boolean restoreVolumes;

  @Mixin HealthTimeoutOption timeout;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    InstanceInfo info =
        new InstanceManager(dirs())
            .rollback(
                name,
                restoreVolumes,
                timeout.orImageDefault(),
                line -> output.progress(err(), line));
    InstanceView.printStarted(info, output, out(), err());
    return 0;
  }
}
