package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;

/** Turns transport exceptions into one clear line for the user. */
final class RegistryErrors {
  private RegistryErrors() {}

  static RuntimeException describe(String what, Exception e) {
    if (e instanceof ApplianceException || e instanceof InvalidInputException) {
      return (RuntimeException) e;
    }
    if (e instanceof RegistryException.UnauthorizedException
        || e instanceof RegistryException.DeniedException) {
      return new RegistryAccessException(
          RegistryAccessException.Remedy.CREDENTIALS, what + " failed: " + reason(e), e);
    }
    return new ApplianceException(what + " failed: " + reason(e), e);
  }

  /**
   * A short reason. A {@link RegistryException}'s message is written for users; other I/O errors
   * get their type, which often says more than their text. None of them holds credentials.
   */
  static String reason(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getCause() != null && e.getCause() != e
          ? reason(e.getCause())
          : e.getClass().getSimpleName();
    }
    return e instanceof IOException && !(e instanceof RegistryException)
        ? e.getClass().getSimpleName() + ": " + message
        : message;
  }
}
