package dev.appliance.signing;

import java.util.List;

/** The signatures that verified and, for every one that did not, why. */
public record VerificationResult(
    List<VerifiedSignature> verified, List<SignatureRefusal> refusals) {
  public VerificationResult {
    verified = List.copyOf(verified);
    refusals = List.copyOf(refusals);
  }

  public boolean isVerified() {
    return !verified.isEmpty();
  }
}
