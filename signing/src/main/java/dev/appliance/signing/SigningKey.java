package dev.appliance.signing;

import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;

/** An ECDSA P-256 key pair, the kind cosign generates and skopeo signs with. */
public record SigningKey(ECPrivateKey privateKey, ECPublicKey publicKey) {

  public static SigningKey generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      var pair = generator.generateKeyPair();
      return new SigningKey((ECPrivateKey) pair.getPrivate(), (ECPublicKey) pair.getPublic());
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("the JDK always has EC on secp256r1", e);
    }
  }

  @Override
  public String toString() {
    return "SigningKey[" + PublicKeys.fingerprint(publicKey) + "]";
  }
}
