package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.signing.internal.EncryptedKeyCodec;
import dev.appliance.signing.internal.Pem;
import dev.appliance.signing.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Private keys in cosign's encrypted PEM: "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign 2 and later,
 * what we write) or "ENCRYPTED COSIGN PRIVATE KEY" (older cosign), wrapping the
 * passphrase-encrypted PKCS#8 DER. skopeo and podman read both.
 */
public final class PrivateKeys {
  static final String SIGSTORE_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
  private static final Set<String> READABLE = Set.of(SIGSTORE_TYPE, "ENCRYPTED COSIGN PRIVATE KEY");

  private PrivateKeys() {}

  public static byte[] toEncryptedPem(
      ECPrivateKey key, Passphrase passphrase, SecureRandom random) {
    byte[] der = key.getEncoded();
    try {
      return new Pem(SIGSTORE_TYPE, EncryptedKeyCodec.encrypt(der, passphrase.bytes(), random))
          .encode();
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  public static SigningKey read(Path file, Passphrase passphrase) {
    try {
      return fromEncryptedPem(Files.readAllBytes(file), passphrase, file.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read private key " + file + ": " + e.getMessage(), e);
    }
  }

  public static SigningKey fromEncryptedPem(byte[] pem, Passphrase passphrase, String where) {
    Pem block = Pem.parse(pem, where);
    if (!READABLE.contains(block.type())) {
      throw new InvalidInputException(
          where
              + ": expected a PEM 'ENCRYPTED SIGSTORE PRIVATE KEY' (or"
              + " 'ENCRYPTED COSIGN PRIVATE KEY') block, found '"
              + Text.shown(block.type())
              + "'");
    }
    byte[] der = EncryptedKeyCodec.decrypt(block.content(), passphrase.bytes(), where);
    try {
      if (KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der))
              instanceof ECPrivateKey ec
          && PublicKeys.isP256(ec.getParams())) {
        return new SigningKey(ec, publicKeyOf(ec));
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(
          where + ": the decrypted key is not an ECDSA PKCS#8 key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
    throw new InvalidInputException(where + ": only ECDSA P-256 private keys are supported");
  }

  /** The public point d·G: PKCS#8 need not carry it, and the JDK does not derive it. */
  private static ECPublicKey publicKeyOf(ECPrivateKey key) throws GeneralSecurityException {
    ECPoint q =
        ECNamedCurveTable.getParameterSpec("secp256r1").getG().multiply(key.getS()).normalize();
    var point =
        new java.security.spec.ECPoint(
            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, key.getParams()));
  }
}
