package dev.appliance.cli;

import picocli.CommandLine;

/** Entry point of the {@code appliance} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
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
