package dev.appliance.cli;

import picocli.CommandLine.Option;

/** {@code --json} and {@code --quiet}, mixed into commands that print results. */
final class OutputOptions {
    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print no progress on stderr.")
    boolean quiet;
}
