package dev.appliance.signing;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;

/** ECDSA-SHA256 verification, as cosign signs payloads and DSSE envelopes. */
final class Ecdsa {
  private Ecdsa() {}

  /**
   * Whether {@code signature} (ASN.1 DER) of {@code data} verifies with {@code key}.
   *
   * @throws SignatureException when {@code signature} is not a DER ECDSA signature at all
   */
  static boolean verifies(ECPublicKey key, byte[] data, byte[] signature)
      throws SignatureException {
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(key);
      ecdsa.update(data);
      return ecdsa.verify(signature);
    } catch (SignatureException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA verification unavailable", e);
    }
  }
}
