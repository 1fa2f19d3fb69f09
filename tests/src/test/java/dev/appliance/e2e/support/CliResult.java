package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;

/**
 * What one run of the CLI left behind.
 *
 * @param args the arguments after {@code appliance}
 * @param exitCode the process's exit code
 * @param stdout results
 * @param stderr progress and errors
 * @param elapsed wall time of the run
 */
public record CliResult(
    List<String> args, int exitCode, String stdout, String stderr, Duration elapsed) {
  public CliResult {
    args = List.copyOf(args);
  }

  /** Fails the test, showing both streams, unless the command exited 0. */
  public CliResult assertSuccess() {
    return assertExit(0);
  }

  /** Fails the test, showing both streams, unless the command exited with {@code expected}. */
  public CliResult assertExit(int expected) {
    if (exitCode != expected) {
      fail(
          "appliance "
              + String.join(" ", args)
              + ": expected exit "
              + expected
              + " but got "
              + exitCode
              + "\n--- stdout ---\n"
              + stdout
              + "\n--- stderr ---\n"
              + stderr);
    }
    return this;
  }

  public List<String> stdoutLines() {
    return stdout.lines().toList();
  }

  /** The digest on the {@code REFERENCE sha256:...} line build, push and pull print. */
  public String digestOf(String reference) {
    return stdoutLines().stream()
        .filter(l -> l.startsWith(reference + " sha256:"))
        .map(l -> l.substring(reference.length() + 1))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no digest for "
                        + reference
                        + " on stdout of appliance "
                        + String.join(" ", args)
                        + ":\n"
                        + stdout));
  }
}
