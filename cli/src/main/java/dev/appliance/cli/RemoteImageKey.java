package dev.appliance.cli;

import dev.appliance.signing.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image in a registry and the private key of sign and attest. */
final class RemoteImageKey {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "REGISTRY/REPOSITORY[:TAG|@DIGEST]")
  String image;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "KEY",
      description = "Private key (cosign format, e.g. from `appliance key generate`).")
  Path key;

  @Mixin SigningKeyOptions signing;

  /** Reads the key with its passphrase (never from argv). */
  SigningKey read() throws IOException {
    return signing.read(key, "--key");
  }
}
