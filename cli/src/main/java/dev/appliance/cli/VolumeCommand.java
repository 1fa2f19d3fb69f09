package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import picocli.CommandLine.Command;

@Command(
    name = "volume",
    description = {
      "Manage named volumes: list them, remove them, prune the ones no instance uses, back them up to a"
          + " registry and restore them.",
      "A volume outlives the instances that attach it (rm keeps it); it can be removed once no instance,"
          + " running or stopped, attaches it."
    },
    subcommands = {
      VolumeLsCommand.class,
      VolumeRmCommand.class,
      VolumePruneCommand.class,
      VolumeBackupCommand.class,
      VolumeRestoreCommand.class
    })
final class VolumeCommand extends BaseCommand {
  @Override
  public Integer call() {
    throw new InvalidInputException(
        "volume: name a subcommand: ls, rm, prune, backup or restore (see appliance volume --help)");
  }
}
