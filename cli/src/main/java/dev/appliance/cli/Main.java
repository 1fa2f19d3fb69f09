package dev.appliance.cli;

import dev.appliance.common.Utf8Locale;
import java.util.OptionalInt;
import picocli.CommandLine;

/** Entry point of the {@code appliance} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    OptionalInt rerun = Utf8Locale.rerunIfNeeded(args.length);
    if (rerun.isPresent()) {
      System.exit(rerun.getAsInt());
    }
    System.exit(commandLine().execute(Utf8Locale.arguments(args)));
  }

  /** The configured command line; tests drive it in-process through this. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ApplianceCommand());
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setExitCodeExceptionMapper(ErrorHandler::exitCodeOf);
    cli.setParameterExceptionHandler(ErrorHandler::handleParameterError);
    return cli;
  }
}
