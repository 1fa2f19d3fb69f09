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

/** Reads a private key for sign and push --sign-key, its passphrase as `key generate` takes one (never argv). */
final class SigningKeyFiles {
    private SigningKeyFiles() {}

    static SigningKey read(Path key, Path passphraseFile, String option) throws IOException {
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
