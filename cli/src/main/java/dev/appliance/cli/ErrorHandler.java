package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into one clear line on stderr and the documented exit codes: 2 for bad input, 1
 * for failures. Stack traces only with APPLIANCE_DEBUG=1.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  static final int FAILURE = 1;
  static final int INVALID_INPUT = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    err.println("appliance: " + describe(e));
    if ("1".equals(System.getenv("APPLIANCE_DEBUG"))) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCodeOf(e);
  }

  static int exitCodeOf(Throwable e) {
    return e instanceof InvalidInputException ? INVALID_INPUT : FAILURE;
  }

  static int handleParameterError(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    cli.getErr().println("appliance: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, cli.getErr());
    cli.getErr()
        .println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more information.");
    return INVALID_INPUT;
  }

  private static String describe(Exception e) {
    if (e instanceof InvalidInputException invalid) {
      return RemedyText.message(e.getMessage(), invalid.remedy());
    }
    if (e instanceof ApplianceException failure) {
      return RemedyText.message(e.getMessage(), failure.remedy());
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
