package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.signing.Passphrase;
import dev.appliance.signing.PrivateKeys;
import dev.appliance.signing.PublicKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code appliance key generate} as a user runs it, in a separate JVM. */
class KeyCommandTest {
  @TempDir Path dir;

  @Test
  void generatesAPairReadableWithThePassphraseFromEachSource() throws Exception {
    Path passphraseFile = Files.writeString(dir.resolve("pass"), "from a file\n");
    CliProcess.Run fromFile =
        CliProcess.run(
            dir,
            "key",
            "generate",
            "--output-key-prefix",
            dir.resolve("a").toString(),
            "--passphrase-file",
            passphraseFile.toString());
    assertEquals(0, fromFile.exit(), fromFile.err());
    assertEquals(dir.resolve("a.key") + "\n" + dir.resolve("a.pub") + "\n", fromFile.out());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.key"))));
    assertArrayEquals(
        PublicKeys.read(dir.resolve("a.pub")).getEncoded(),
        PrivateKeys.read(dir.resolve("a.key"), Passphrase.of("from a file".toCharArray()))
            .publicKey()
            .getEncoded());

    CliProcess.Run fromEnv =
        CliProcess.run(
            dir,
            Map.of(Passphrase.ENVIRONMENT_VARIABLE, "from the environment"),
            "",
            "key",
            "generate",
            "--output-key-prefix",
            dir.resolve("b").toString());
    assertEquals(0, fromEnv.exit(), fromEnv.err());
    PrivateKeys.read(dir.resolve("b.key"), Passphrase.of("from the environment".toCharArray()));

    CliProcess.Run fromStdin =
        CliProcess.run(
            dir,
            Map.of(),
            "from stdin\n",
            "key",
            "generate",
            "--output-key-prefix",
            dir.resolve("c").toString());
    assertEquals(0, fromStdin.exit(), fromStdin.err());
    PrivateKeys.read(dir.resolve("c.key"), Passphrase.of("from stdin".toCharArray()));
    assertFalse(
        (fromFile.out() + fromFile.err() + fromEnv.err() + fromStdin.err()).contains("from "),
        "no passphrase in the output");
  }

  @Test
  void refusesToOverwriteWithoutForce() throws Exception {
    Path prefix = dir.resolve("release");
    assertEquals(
        0,
        CliProcess.run(
                dir, Map.of(), "pw\n", "key", "generate", "--output-key-prefix", prefix.toString())
            .exit());
    byte[] before = Files.readAllBytes(dir.resolve("release.key"));

    CliProcess.Run again =
        CliProcess.run(
            dir, Map.of(), "pw\n", "key", "generate", "--output-key-prefix", prefix.toString());
    assertEquals(2, again.exit());
    assertTrue(again.err().contains(dir.resolve("release.key") + " already exists"), again.err());
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("release.key")));

    CliProcess.Run forced =
        CliProcess.run(
            dir,
            Map.of(),
            "pw\n",
            "key",
            "generate",
            "--force",
            "--output-key-prefix",
            prefix.toString());
    assertEquals(0, forced.exit(), forced.err());
    assertFalse(Arrays.equals(before, Files.readAllBytes(dir.resolve("release.key"))));
  }
}
