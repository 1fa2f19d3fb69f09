package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.signing.internal.Pem;
import dev.appliance.signing.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * Public keys as cosign and skopeo write them: a PEM "PUBLIC KEY" block (PKIX
 * SubjectPublicKeyInfo).
 */
public final class PublicKeys {
  private static final String TYPE = "PUBLIC KEY";

  /** The order of P-256's base point (FIPS 186-4 D.1.2.3). */
  private static final java.math.BigInteger P256_ORDER =
      new java.math.BigInteger(
          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  private PublicKeys() {}

  public static byte[] toPem(ECPublicKey key) {
    return new Pem(TYPE, key.getEncoded()).encode();
  }

  public static ECPublicKey read(Path file) {
    try {
      return fromPem(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read public key " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a PEM public key; {@code where} names its origin (file, policy field) in errors. */
  public static ECPublicKey fromPem(byte[] pem, String where) {
    Pem block = Pem.parse(pem, where);
    if (!TYPE.equals(block.type())) {
      throw new InvalidInputException(
          where
              + ": expected a PEM '"
              + TYPE
              + "' block, found '"
              + Text.shown(block.type())
              + "'");
    }
    try {
      if (KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(block.content()))
              instanceof ECPublicKey ec
          && isP256(ec.getParams())) {
        return ec;
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(where + ": not an ECDSA public key: " + e.getMessage(), e);
    }
    throw new InvalidInputException(where + ": only ECDSA P-256 public keys are supported");
  }

  /** {@code sha256:...} of the PKIX encoding: names a key in messages without showing it. */
  public static String fingerprint(ECPublicKey key) {
    return Digest.sha256(key.getEncoded()).toString();
  }

  static boolean isP256(ECParameterSpec params) {
    return params.getCurve().getField().getFieldSize() == 256
        && params.getOrder().equals(P256_ORDER);
  }
}
