package dev.appliance.common;

/**
 * An operation failed for a reason other than bad input (a registry error, an engine that would not
 * start, a full disk). The CLI maps it to exit code 1 and prints the message without a stack trace.
 */
public class ApplianceException extends RuntimeException {
  public ApplianceException(String message) {
    super(message);
  }

  public ApplianceException(String message, Throwable cause) {
    super(message, cause);
  }
}
