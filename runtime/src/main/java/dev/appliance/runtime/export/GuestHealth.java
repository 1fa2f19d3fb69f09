package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import java.util.regex.Pattern;

/**
 * The image's health check as the guest's health gate reads it: one line {@code TYPE PORT PATH
 * STATUS TIMEOUT} ({@code none} without a check). Image metadata is untrusted: the path is checked
 * to plain URL characters before it reaches a file the guest's shell reads.
 */
public final class GuestHealth {
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/?=&%+-]{0,200}");

  private GuestHealth() {}

  /**
   * @throws InvalidInputException when the check's type or path cannot be written safely
   */
  public static String line(ApplianceMetadata metadata) {
    ApplianceMetadata.HealthCheck check = metadata.health();
    if (check == null) {
      return "none";
    }
    int timeout = check.timeoutSeconds() > 0 ? check.timeoutSeconds() : 300;
    if (check.port() < 1 || check.port() > 65535) {
      throw new InvalidInputException(
          metadata.name() + ": health check port " + check.port() + " is not a TCP port");
    }
    return switch (check.type()) {
      case "tcp" -> "tcp " + check.port() + " - - " + timeout;
      case "http" -> {
        String path = check.path() == null || check.path().isEmpty() ? "/" : check.path();
        if (!PATH.matcher(path).matches()) {
          throw new InvalidInputException(
              metadata.name()
                  + ": health check path '"
                  + path.replaceAll("\\p{Cntrl}", "?")
                  + "' has characters the guest's health gate does not take"
                  + " (letters, digits and / . _ ~ ? = & % + - only)");
        }
        yield "http " + check.port() + " " + path + " " + check.status() + " " + timeout;
      }
      default ->
          throw new InvalidInputException(
              metadata.name()
                  + ": health check type '"
                  + check.type().replaceAll("\\p{Cntrl}", "?")
                  + "' is not tcp or http");
    };
  }
}
