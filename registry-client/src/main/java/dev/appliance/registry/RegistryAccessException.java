package dev.appliance.registry;

import dev.appliance.common.ApplianceException;

/**
 * A registry could not be used on the terms the options allow: its certificate is not trusted, it
 * speaks only plain HTTP, or it refused the credentials (or their absence). {@link #remedy()} says
 * which part of {@link RegistryOptions} would change that, so a caller can name its own spelling of
 * it.
 */
public final class RegistryAccessException extends ApplianceException {
  /** What would let the connection through. */
  public enum Remedy implements dev.appliance.common.Remedy {
    /**
     * Trust the CA that signed the certificate ({@link RegistryOptions#caCert()}), or skip
     * verification.
     */
    TRUST_CA,
    /**
     * Allow plain HTTP to a registry that is not on loopback ({@link RegistryOptions#insecure()}).
     */
    ALLOW_PLAIN_HTTP,
    /** Give credentials, or others ({@link RegistryOptions#credential()}). */
    CREDENTIALS
  }

  RegistryAccessException(Remedy remedy, String message) {
    super(message, remedy);
  }

  RegistryAccessException(Remedy remedy, String message, Throwable cause) {
    super(message, remedy, cause);
  }
}
