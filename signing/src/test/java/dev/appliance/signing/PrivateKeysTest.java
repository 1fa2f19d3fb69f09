package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PrivateKeysTest {
  private static final Passphrase EMPTY = Passphrase.of(new char[0]);

  private static byte[] fixture(String name) throws IOException {
    try (var in = PrivateKeysTest.class.getResourceAsStream("/cosign-fixture/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void readsAKeyCosignGenerated() throws IOException {
    SigningKey key = PrivateKeys.fromEncryptedPem(fixture("cosign.key"), EMPTY, "cosign.key");
    assertArrayEquals(
        PublicKeys.fromPem(fixture("cosign.pub"), "cosign.pub").getEncoded(),
        key.publicKey().getEncoded());
  }

  @Test
  void wrongPassphraseIsRefusedNamingTheFile() throws IOException {
    byte[] pem = fixture("cosign.key");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                PrivateKeys.fromEncryptedPem(
                    pem, Passphrase.of("wrong".toCharArray()), "keys/cosign.key"));
    assertEquals(
        "keys/cosign.key: cannot decrypt the private key: wrong passphrase, or the file was altered",
        e.getMessage());
  }

  @Test
  void roundTripsWithTheSigstorePemType() {
    SigningKey key = SigningKey.generate(new SecureRandom());
    Passphrase passphrase = Passphrase.of("s3cret".toCharArray());
    byte[] pem = PrivateKeys.toEncryptedPem(key.privateKey(), passphrase, new SecureRandom());
    assertTrue(
        new String(pem, StandardCharsets.US_ASCII)
            .startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    SigningKey read = PrivateKeys.fromEncryptedPem(pem, Passphrase.of("s3cret".toCharArray()), "k");
    assertEquals(key.privateKey().getS(), read.privateKey().getS());
    assertArrayEquals(key.publicKey().getEncoded(), read.publicKey().getEncoded());
  }

  @Test
  void refusesExpensiveScryptParametersBeforeDerivingAnything() {
    String json =
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1073741824,\"r\":8,\"p\":1},\"salt\":\"AA==\"},"
            + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AA==\"},\"ciphertext\":\"AA==\"}";
    byte[] pem =
        ("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
                + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII);
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> PrivateKeys.fromEncryptedPem(pem, EMPTY, "evil.key"));
    assertTrue(
        e.getMessage().startsWith("evil.key: unsupported scrypt parameters N=1073741824"),
        e.getMessage());
  }

  @Test
  void anUnencryptedOrOtherPemIsRefusedByType() throws IOException {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> PrivateKeys.fromEncryptedPem(fixture("cosign.pub"), EMPTY, "cosign.pub"));
    assertTrue(e.getMessage().contains("found 'PUBLIC KEY'"), e.getMessage());
  }

  @Test
  void passphraseNeverShowsInText() {
    assertEquals("Passphrase[hidden]", Passphrase.of("hunter2".toCharArray()).toString());
  }
}
