package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyPairFilesTest {
  @TempDir Path dir;

  @Test
  void writesAReadableKeyPairWithPrivateModes() throws IOException {
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    SigningKey key = files.generate(Passphrase.of("pw".toCharArray()), false, new SecureRandom());

    assertEquals(dir.resolve("release.key"), files.privateKey());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey())));
    assertEquals(
        "rw-r--r--",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(files.publicKey())));
    assertArrayEquals(
        key.publicKey().getEncoded(), PublicKeys.read(files.publicKey()).getEncoded());
    assertArrayEquals(
        key.publicKey().getEncoded(),
        PrivateKeys.read(files.privateKey(), Passphrase.of("pw".toCharArray()))
            .publicKey()
            .getEncoded());
    try (var listing = Files.list(dir)) {
      assertEquals(2, listing.count(), "no temporary file left behind");
    }
  }

  @Test
  void refusesToOverwriteAndLeavesBothFilesAsTheyWere() throws IOException {
    Files.writeString(dir.resolve("release.pub"), "an older public key");
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> files.generate(Passphrase.of("pw".toCharArray()), false, new SecureRandom()));
    assertEquals(dir.resolve("release.pub") + " already exists", e.getMessage());
    assertEquals(java.util.Optional.of(KeyRemedy.OTHER_NAME_OR_REPLACE), e.remedy());
    assertFalse(Files.exists(dir.resolve("release.key")), "nothing half-written");
    assertEquals("an older public key", Files.readString(dir.resolve("release.pub")));
  }

  @Test
  void forceReplacesAnExistingPair() throws IOException {
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    SigningKey first = files.generate(Passphrase.of("pw".toCharArray()), false, new SecureRandom());
    SigningKey second = files.generate(Passphrase.of("pw".toCharArray()), true, new SecureRandom());
    assertNotEquals(first.publicKey(), second.publicKey());
    assertArrayEquals(
        second.publicKey().getEncoded(), PublicKeys.read(files.publicKey()).getEncoded());
  }
}
