package dev.appliance.common;

import java.util.Optional;

/**
 * The user gave us something we cannot use: a bad recipe, a malformed reference, an unknown option
 * value. The CLI maps it to exit code 2. The message must name the problem and where it is
 * (file:line:column, image, layer).
 */
public class InvalidInputException extends RuntimeException {
  private final transient Remedy remedy;

  public InvalidInputException(String message) {
    this(message, (Remedy) null);
  }

  public InvalidInputException(String message, Throwable cause) {
    this(message, null, cause);
  }

  /** A failure the caller could avoid by {@code remedy} (the CLI names its option). */
  public InvalidInputException(String message, Remedy remedy) {
    super(message);
    this.remedy = remedy;
  }

  public InvalidInputException(String message, Remedy remedy, Throwable cause) {
    super(message, cause);
    this.remedy = remedy;
  }

  /** What would let the operation through, when the caller can change it. */
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }
}
