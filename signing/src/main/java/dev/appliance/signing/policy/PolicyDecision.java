package dev.appliance.signing.policy;

import dev.appliance.signing.SignatureRefusal;
import dev.appliance.signing.VerifiedSignature;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the policy says about one image, and why.
 *
 * @param verdict accepted with verified signatures, accepted without verification, or refused
 * @param policy the policy file, or a note that there is none
 * @param scope the scope whose requirements applied
 * @param signers the signatures that satisfied sigstoreSigned requirements
 * @param refusals why the image (or each signature) was refused; empty when accepted
 */
public record PolicyDecision(
    Verdict verdict,
    String policy,
    String scope,
    List<VerifiedSignature> signers,
    List<SignatureRefusal> refusals) {
  public enum Verdict {
    VERIFIED,
    UNVERIFIED,
    REFUSED
  }

  public PolicyDecision {
    signers = List.copyOf(signers);
    refusals = List.copyOf(refusals);
  }

  /** No policy file anywhere: today's behaviour, and the caller warns. */
  public static PolicyDecision noPolicy() {
    return new PolicyDecision(Verdict.UNVERIFIED, "no policy file", "none", List.of(), List.of());
  }

  public boolean accepted() {
    return verdict != Verdict.REFUSED;
  }

  /** One line for the user. */
  public String message() {
    return switch (verdict) {
      case VERIFIED ->
          "verified ("
              + policy
              + ", "
              + scope
              + "): "
              + signers.stream().map(VerifiedSignature::toString).collect(Collectors.joining("; "));
      case UNVERIFIED ->
          "unverified: " + policy + ("none".equals(scope) ? "" : " accepts anything in " + scope);
      case REFUSED ->
          "refused by "
              + policy
              + " "
              + scope
              + ": "
              + refusals.stream().map(SignatureRefusal::toString).collect(Collectors.joining("; "));
    };
  }
}
