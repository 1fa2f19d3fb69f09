package dev.appliance.registry;

import java.io.IOException;

/**
 * A registry answered a request with an HTTP error status. The subclasses say what kind, so that
 * {@link Retry} and callers match by type: only {@link ServerErrorException} is worth retrying.
 * Messages are for users and never hold credentials.
 */
class RegistryException extends IOException {
  private final int status;

  RegistryException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  /** The exception type for {@code status}. */
  static RegistryException forStatus(int status, String message) {
    if (status == 401) {
      return new UnauthorizedException(message);
    }
    if (status == 403) {
      return new DeniedException(message);
    }
    if (status == 404) {
      return new NotFoundException(message);
    }
    if (status >= 500 || status == 429) {
      return new ServerErrorException(status, message);
    }
    return new RegistryException(status, message);
  }

  /** HTTP 401: no or wrong credentials (also a token service that refused them). */
  static final class UnauthorizedException extends RegistryException {
    UnauthorizedException(String message) {
      super(401, message);
    }
  }

  /** HTTP 403: the credentials are valid but do not grant this access. */
  static final class DeniedException extends RegistryException {
    DeniedException(String message) {
      super(403, message);
    }
  }

  /** HTTP 404: no such repository, manifest or blob. */
  static final class NotFoundException extends RegistryException {
    NotFoundException(String message) {
      super(404, message);
    }
  }

  /** HTTP 5xx or 429: the registry may well answer the same request later. */
  static final class ServerErrorException extends RegistryException {
    ServerErrorException(int status, String message) {
      super(status, message);
    }
  }
}
