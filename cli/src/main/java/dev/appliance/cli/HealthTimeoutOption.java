package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --timeout} of the commands that wait for an instance's health check (run, start). */
final class HealthTimeoutOption {
  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long to wait for the health check (default: the image's).")
  Long seconds;

  /** Null when not given: the runtime then takes the image's own timeout. */
  Duration orImageDefault() {
    if (seconds != null && seconds < 1) {
      throw new InvalidInputException("--timeout " + seconds + ": must be at least 1 second");
    }
    return seconds == null ? null : Duration.ofSeconds(seconds);
  }
}
