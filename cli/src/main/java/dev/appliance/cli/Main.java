package dev.appliance.cli;

import dev.appliance.common.Utf8Locale;
import dev.appliance.registry.HttpClientThreads;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** Entry point of the {@code appliance} command. */
public final class Main {
  private static final List<String> VERSION = List.of("--version", "-V");

  private Main() {}

  public static void main(String[] args) {
    OptionalInt rerun = Utf8Locale.rerunIfNeeded(args.length);
    if (rerun.isPresent()) {
      System.exit(rerun.getAsInt());
    }
    String[] arguments = Utf8Locale.arguments(args);
    JacksonWarmUp.startFor(arguments);
    int code = commandLine(arguments).execute(arguments);
    // The JVM's exit waits up to 300 ms for the HTTP clients' selector threads otherwise.
    HttpClientThreads.stop();
    System.exit(code);
  }

  /** The configured command line with every subcommand; tests drive it in-process through this. */
  public static CommandLine commandLine() {
    return configured(ApplianceCommand.SUBCOMMANDS);
  }

  /**
   * The command line for {@code arguments}: when the first one names a subcommand, only that one is
   * registered (half of {@code ps}'s CPU time went into reflecting over the other 24), and none for
   * {@code --version}; otherwise (usage, {@code help}, a typo that wants suggestions) all.
   */
  static CommandLine commandLine(String[] arguments) {
    if (arguments.length == 1 && VERSION.contains(arguments[0])) {
      return configured(List.of());
    }
    if (arguments.length > 0) {
      Class<?> command = subcommandNamed(arguments[0]);
      if (command != null) {
        return configured(List.of(command));
      }
    }
    return commandLine();
  }

  /**
   * The subcommand called {@code name}, or null. Found by its class name, {@code NameCommand} (a
   * test holds every subcommand to that), then checked against its annotation: reading the
   * annotations of all 29 to compare their names cost {@code ps} 40 ms.
   */
  static Class<?> subcommandNamed(String name) {
    if (name.isEmpty()) {
      return null;
    }
    String className = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Command";
    for (Class<?> command : ApplianceCommand.SUBCOMMANDS) {
      if (command != HelpCommand.class
          && command.getSimpleName().equals(className)
          && nameOf(command).equals(name)) {
        return command;
      }
    }
    return null;
  }

  private static CommandLine configured(List<Class<?>> subcommands) {
    CommandLine cli = new CommandLine(new ApplianceCommand());
    subcommands.forEach(command -> cli.addSubcommand(nameOf(command), command));
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setExitCodeExceptionMapper(ErrorHandler::exitCodeOf);
    cli.setParameterExceptionHandler(ErrorHandler::handleParameterError);
    return cli;
  }

  private static String nameOf(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }
}
