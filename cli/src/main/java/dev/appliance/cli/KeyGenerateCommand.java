package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.signing.KeyPairFiles;
import dev.appliance.signing.Passphrase;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.SigningKey;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    description = {
      "Generate a cosign-compatible key pair: PREFIX.key (ECDSA P-256, encrypted with a passphrase, mode 0600)"
          + " and PREFIX.pub. Prints the two file names.",
      "The passphrase comes from --passphrase-file, else $"
          + Passphrase.ENVIRONMENT_VARIABLE
          + ", else a prompt on the terminal, else the first line of standard input; never from the command line."
    })
final class KeyGenerateCommand extends BaseCommand {
  @Option(
      names = "--output-key-prefix",
      paramLabel = "PREFIX",
      defaultValue = "appliance",
      description = "Write PREFIX.key and PREFIX.pub (default: ${DEFAULT-VALUE}).")
  Path prefix;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "Read the passphrase from the first line of FILE.")
  Path passphraseFile;

  @Option(names = "--force", description = "Replace existing PREFIX.key and PREFIX.pub.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    KeyPairFiles files = KeyPairFiles.forPrefix(prefix);
    if (!force) {
      files.refuseExisting();
    }
    Passphrase passphrase = passphrase();
    if (passphrase.isEmpty()) {
      err().println("warning: the private key is encrypted with an empty passphrase");
    }
    SigningKey key = files.generate(passphrase, force, new SecureRandom());
    out().println(files.privateKey());
    out().println(files.publicKey());
    err().println("public key " + PublicKeys.fingerprint(key.publicKey()));
    return 0;
  }

  /** On a terminal, prompts twice instead of reading a line of standard input. */
  private Passphrase passphrase() throws IOException {
    Map<String, String> environment = System.getenv();
    Console console = System.console();
    if (console == null || !Passphrase.wouldReadStdin(passphraseFile, environment)) {
      return Passphrase.resolve(passphraseFile, environment, System.in);
    }
    char[] first = console.readPassword("Passphrase for the new private key: ");
    char[] second = console.readPassword("Again: ");
    try {
      if (first == null || second == null || !Arrays.equals(first, second)) {
        throw new InvalidInputException("the passphrases differ; no key written");
      }
      return Passphrase.of(first);
    } finally {
      if (first != null) {
        Arrays.fill(first, ' ');
      }
      if (second != null) {
        Arrays.fill(second, ' ');
      }
    }
  }
}
