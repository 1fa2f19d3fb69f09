package dev.appliance.common;

/**
 * The user gave us something we cannot use: a bad recipe, a malformed reference, an unknown option
 * value. The CLI maps it to exit code 2. The message must name the problem and where it is
 * (file:line:column, image, layer).
 */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
