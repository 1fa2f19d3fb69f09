package dev.appliance.common;

import java.util.Optional;

/**
 * An operation failed for a reason other than bad input (a registry error, an engine that would not
 * start, a full disk). The CLI maps it to exit code 1 and prints the message without a stack trace.
 */
public class ApplianceException extends RuntimeException {
  private final transient Remedy remedy;

  public ApplianceException(String message) {
    this(message, (Remedy) null);
  }

  public ApplianceException(String message, Throwable cause) {
    this(message, null, cause);
  }

  /** A failure the caller could avoid by {@code remedy} (the CLI names its option). */
  public ApplianceException(String message, Remedy remedy) {
    super(message);
    this.remedy = remedy;
  }

  public ApplianceException(String message, Remedy remedy, Throwable cause) {
    super(message, cause);
    this.remedy = remedy;
  }

  /** What would let the operation through, when the caller can change it. */
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }
}
