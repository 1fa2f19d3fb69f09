package dev.appliance.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The passphrase encryption of cosign's private keys (secure-systems-lab go-securesystemslib
 * "encrypted"): JSON naming an scrypt KDF with its salt and a nacl/secretbox cipher with its nonce,
 * and the sealed PKCS#8 DER.
 */
public final class EncryptedKeyCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SALT_SIZE = 32;

  /**
   * What we write: cosign's "legacy" parameters, which every cosign, skopeo and podman version
   * reads.
   */
  private static final ScryptParams WRITTEN = new ScryptParams(32768, 8, 1);

  /**
   * What we read: the parameter sets go-securesystemslib knows. Others are refused, as there: a
   * file could otherwise ask for gigabytes of memory or hours of work.
   */
  private static final List<ScryptParams> ACCEPTED =
      List.of(WRITTEN, new ScryptParams(65536, 8, 1), new ScryptParams(131072, 8, 1));

  private record ScryptParams(int n, int r, int p) {}

  private EncryptedKeyCodec() {}

  public static byte[] encrypt(byte[] plaintext, byte[] passphrase, SecureRandom random) {
    byte[] salt = new byte[SALT_SIZE];
    byte[] nonce = new byte[SecretBox.NONCE_SIZE];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    byte[] key = derive(passphrase, salt, WRITTEN);
    try {
      ObjectNode root = JSON.createObjectNode();
      ObjectNode kdf = root.putObject("kdf");
      kdf.put("name", "scrypt");
      kdf.putObject("params").put("N", WRITTEN.n()).put("r", WRITTEN.r()).put("p", WRITTEN.p());
      kdf.put("salt", Base64.getEncoder().encodeToString(salt));
      root.putObject("cipher")
          .put("name", "nacl/secretbox")
          .put("nonce", Base64.getEncoder().encodeToString(nonce));
      root.put(
          "ciphertext", Base64.getEncoder().encodeToString(SecretBox.seal(key, nonce, plaintext)));
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * The plaintext; a wrong passphrase or altered file is an {@link InvalidInputException} naming
   * {@code where}.
   */
  public static byte[] decrypt(byte[] json, byte[] passphrase, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the encrypted private key is not valid JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(where + ": the encrypted private key is not a JSON object");
    }
    JsonNode kdf = root.path("kdf");
    require(kdf.path("name").asText(), "scrypt", where, "kdf.name");
    require(root.path("cipher").path("name").asText(), "nacl/secretbox", where, "cipher.name");
    JsonNode params = kdf.path("params");
    ScryptParams given =
        new ScryptParams(
            params.path("N").asInt(), params.path("r").asInt(), params.path("p").asInt());
    if (!ACCEPTED.contains(given)) {
      throw new InvalidInputException(
          where
              + ": unsupported scrypt parameters N="
              + given.n()
              + " r="
              + given.r()
              + " p="
              + given.p()
              + " in kdf.params (accepted: N=32768, 65536 or 131072 with r=8, p=1)");
    }
    byte[] salt = base64(kdf.path("salt"), where, "kdf.salt");
    byte[] nonce = base64(root.path("cipher").path("nonce"), where, "cipher.nonce");
    byte[] box = base64(root.path("ciphertext"), where, "ciphertext");
    if (nonce.length != SecretBox.NONCE_SIZE) {
      throw new InvalidInputException(
          where + ": cipher.nonce must be " + SecretBox.NONCE_SIZE + " bytes");
    }
    byte[] key = derive(passphrase, salt, given);
    try {
      return SecretBox.open(key, nonce, box)
          .orElseThrow(
              () ->
                  new InvalidInputException(
                      where
                          + ": cannot decrypt the private key: wrong passphrase, or the file was altered"));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] derive(byte[] passphrase, byte[] salt, ScryptParams params) {
    return SCrypt.generate(
        passphrase, salt, params.n(), params.r(), params.p(), SecretBox.KEY_SIZE);
  }

  private static void require(String actual, String expected, String where, String field) {
    if (!expected.equals(actual)) {
      throw new InvalidInputException(
          where
              + ": unsupported "
              + field
              + " '"
              + Text.shown(actual)
              + "' (expected "
              + expected
              + ")");
    }
  }

  private static byte[] base64(JsonNode node, String where, String field) {
    if (!node.isTextual()) {
      throw new InvalidInputException(where + ": " + field + " is missing or not a string");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": " + field + " is not valid base64", e);
    }
  }
}
