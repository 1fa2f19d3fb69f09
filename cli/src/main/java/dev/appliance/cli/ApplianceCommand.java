package dev.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The top-level command: only lists the subcommands. */
@Command(
    name = "appliance",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Build, ship and run preinstalled virtual-machine appliances.",
    subcommands = {
      HelpCommand.class,
      BuildCommand.class,
      ValidateCommand.class,
      LockCommand.class,
      InspectCommand.class,
      DiffCommand.class,
      ImagesCommand.class,
      RmiCommand.class,
      GcCommand.class,
      StoreCommand.class,
      PushCommand.class,
      SignCommand.class,
      VerifyCommand.class,
      PullCommand.class,
      RunCommand.class,
      PsCommand.class,
      LogsCommand.class,
      SecretCommand.class,
      StopCommand.class,
      StartCommand.class,
      UpgradeCommand.class,
      RollbackCommand.class,
      RmCommand.class,
      VolumeCommand.class,
      ExportCommand.class,
      KeyCommand.class,
      DoctorCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:operation failed (registry error, engine failure, ...)",
      "2:invalid input (bad recipe, bad reference, bad option)",
    })
public final class ApplianceCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
