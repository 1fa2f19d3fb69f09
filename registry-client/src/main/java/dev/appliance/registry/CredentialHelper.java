package dev.appliance.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A docker credential helper ({@code docker-credential-NAME}, found on PATH), spoken to as docker
 * does: {@code get} as the only argument, the server on stdin, {@code {"Username": ..., "Secret":
 * ...}} on stdout. The name comes from a config file, so it is checked before it becomes part of a
 * command; the secret never reaches the command line.
 */
final class CredentialHelper {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final long TIMEOUT_SECONDS = 60;
  private static final int MAX_OUTPUT = 1 << 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;

  CredentialHelper(String name, Path config) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          config
              + ": credential helper name '"
              + printable(name)
              + "' is not a plain name (letters, digits, '.', '_', '-')");
    }
    this.name = name;
  }

  /** The credentials the helper holds for {@code server}; empty when it has none. */
  Optional<RegistryCredential> get(String server) {
    String command = "docker-credential-" + name;
    Process process;
    try {
      // Helpers answer on stdout, errors included; stderr is dropped so that it cannot fill up and
      // stall them.
      process =
          new ProcessBuilder(List.of(command, "get"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot run the credential helper " + command + " for " + server + ": " + e.getMessage(),
          e);
    }
    try (OutputStream in = process.getOutputStream();
        InputStream out = process.getInputStream()) {
      in.write((server + "\n").getBytes(StandardCharsets.UTF_8));
      in.close();
      byte[] output = out.readNBytes(MAX_OUTPUT);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new ApplianceException(command + " did not answer within " + TIMEOUT_SECONDS + " s");
      }
      String text = new String(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        // The protocol's answer for "nothing stored for this server".
        if (text.contains("credentials not found")) {
          return Optional.empty();
        }
        String reason = text.strip().lines().findFirst().orElse("");
        throw new ApplianceException(
            command
                + " failed for "
                + server
                + " (exit "
                + process.exitValue()
                + ")"
                + (reason.isEmpty() ? "" : ": " + printable(reason)));
      }
      JsonNode answer = JSON.readTree(output);
      String username = answer.path("Username").asText("");
      String secret = answer.path("Secret").asText("");
      return username.isEmpty() || secret.isEmpty()
          ? Optional.empty()
          : Optional.of(new RegistryCredential(username, secret));
    } catch (IOException e) {
      throw new ApplianceException(
          command + " gave no usable answer for " + server + ": " + e.getClass().getSimpleName(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted while running " + command, e);
    } finally {
      process.destroy();
    }
  }

  private static String printable(String text) {
    if (text == null) {
      return "";
    }
    String cleaned = text.replaceAll("\\p{Cntrl}", "?");
    return cleaned.length() > 120 ? cleaned.substring(0, 120) + "..." : cleaned;
  }
}
