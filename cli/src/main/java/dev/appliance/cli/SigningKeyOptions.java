package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.signing.Passphrase;
import dev.appliance.signing.PrivateKeys;
import dev.appliance.signing.SigningKey;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The passphrase option of sign and push --sign-key, and the reading of the private key with it;
 * the passphrase comes as `key generate` takes one (never argv).
 */
final class SigningKeyOptions {
  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description =
          "Read the signing key's passphrase from the first line of FILE (else $APPLIANCE_KEY_PASSWORD,"
              + " a prompt, or standard input).")
  Path passphraseFile;

  SigningKey read(Path key, String option) throws IOException {
    if (!Files.isRegularFile(key)) {
      throw new InvalidInputException(option + " " + key + ": no such file");
    }
    Map<String, String> environment = System.getenv();
    Console console = System.console();
    Passphrase passphrase;
    if (console != null && Passphrase.wouldReadStdin(passphraseFile, environment)) {
      char[] typed = console.readPassword("Passphrase for " + key + ": ");
      passphrase = Passphrase.of(typed == null ? new char[0] : typed);
    } else {
      passphrase = Passphrase.resolve(passphraseFile, environment, System.in);
    }
    return PrivateKeys.read(key, passphrase);
  }
}
