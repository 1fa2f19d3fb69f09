package dev.appliance.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json} and {@code --quiet}, mixed into commands that print results. */
final class OutputOptions {
  @Option(names = "--json", description = "Print the result as JSON on stdout.")
  boolean json;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print no progress on stderr.")
  boolean quiet;

  /**
   * One line of progress on {@code err}, unless quiet; flushed, so it shows while the work goes on.
   */
  void progress(PrintWriter err, String line) {
    if (!quiet) {
      err.println(line);
      err.flush();
    }
  }
}
