package dev.appliance.signing;

/** Why one signature (or the lack of any) was not accepted. */
public record SignatureRefusal(Reason reason, String detail) {
  public enum Reason {
    /** No signature at all. */
    UNSIGNED,
    /** The signature does not verify with the required key. */
    OTHER_KEY,
    /**
     * The signature is valid but covers another manifest digest (the image changed after signing).
     */
    DIGEST_MISMATCH,
    /** The signature is valid but names a reference the policy does not accept. */
    IDENTITY_MISMATCH,
    /** The signature, its payload or its manifest is malformed or does not match its digest. */
    CORRUPTED,
    /** The policy rejects the image outright. */
    REJECTED
  }

  @Override
  public String toString() {
    return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + detail;
  }
}
