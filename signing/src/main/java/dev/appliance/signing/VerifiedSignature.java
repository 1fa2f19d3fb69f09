package dev.appliance.signing;

import dev.appliance.oci.Digest;

/**
 * Who signed what: the key (by fingerprint) whose signature verified, the reference the signer
 * named and the manifest digest the signature covers.
 */
public record VerifiedSignature(
    String keyFingerprint, String signedReference, Digest manifestDigest) {
  @Override
  public String toString() {
    return signedReference + " (" + manifestDigest + ") signed by key " + keyFingerprint;
  }
}
