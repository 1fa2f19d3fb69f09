package dev.appliance.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The top-level command: only shows the usage. Its subcommands are in {@link #SUBCOMMANDS}, not in
 * the annotation, so that {@link Main} can build the model of the one a command line names and
 * nothing else (picocli reflects over every option of every registered command at start).
 */
@Command(
    name = "appliance",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Build, ship and run preinstalled virtual-machine appliances.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:operation failed (registry error, engine failure, ...)",
      "2:invalid input (bad recipe, bad reference, bad option)",
    })
public final class ApplianceCommand implements Runnable {
  /** Every subcommand, in the order the usage lists them. */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
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
          AttestCommand.class,
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
          RulesCommand.class,
          ExportCommand.class,
          AnalyzeCommand.class,
          KeyCommand.class,
          DoctorCommand.class);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
