package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.registry.RegistryCredential;
import dev.appliance.registry.RegistryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to reach a registry: TLS trust and credentials, shared by push and pull. */
final class RegistryCliOptions {
  @Option(
      names = "--insecure",
      description =
          "Allow plain HTTP and unverified TLS (loopback registries may use HTTP without it).")
  boolean insecure;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "Also trust the CA certificate(s) in this PEM file.")
  Path caCert;

  @Option(
      names = {"-u", "--username"},
      paramLabel = "USER",
      description = "Registry user name; the password comes from --password-stdin.")
  String username;

  @Option(
      names = "--password-stdin",
      description = "Read the password (or token) from standard input.")
  boolean passwordStdin;

  /** Without --username, credentials come from the docker config and its credential helpers. */
  RegistryOptions toOptions(InputStream stdin) {
    if (caCert != null && !Files.isRegularFile(caCert)) {
      throw new InvalidInputException("--ca-cert " + caCert + ": no such file");
    }
    RegistryOptions options = RegistryOptions.defaults().withInsecure(insecure).withCaCert(caCert);
    if (username == null && !passwordStdin) {
      return options;
    }
    if (username == null || !passwordStdin) {
      throw new InvalidInputException(
          "--username and --password-stdin go together "
              + "(a password on the command line would be visible to every user of the host)");
    }
    return options.withCredential(new RegistryCredential(username, readPassword(stdin)));
  }

  private static String readPassword(InputStream stdin) {
    try {
      String text = new String(stdin.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      String password =
          text.endsWith("\r\n")
              ? text.substring(0, text.length() - 2)
              : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
      if (password.isEmpty()) {
        throw new InvalidInputException("--password-stdin: standard input was empty");
      }
      return password;
    } catch (IOException e) {
      throw new InvalidInputException(
          "--password-stdin: cannot read standard input: " + e.getMessage(), e);
    }
  }
}
