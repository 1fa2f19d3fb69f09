package dev.appliance.signing.policy;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.SignatureManifest;
import dev.appliance.signing.SignatureRefusal;
import dev.appliance.signing.SignatureSource;
import dev.appliance.signing.VerificationResult;
import dev.appliance.signing.VerifiedSignature;
import dev.appliance.signing.Verifier;
import dev.appliance.signing.policy.PolicyDecision.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Applies a {@link TrustPolicy} to one image: every requirement of its scope must be met. */
public final class PolicyEvaluator {
  private final TrustPolicy policy;

  public PolicyEvaluator(TrustPolicy policy) {
    this.policy = policy;
  }

  /** Fetches signatures from {@code source} only when the image's scope requires them. */
  public PolicyDecision evaluate(
      ImageReference image, Digest manifestDigest, SignatureSource source) throws IOException {
    boolean needsSignatures =
        policy.scopeFor(image).requirements().stream()
            .anyMatch(r -> r instanceof Requirement.SigstoreSigned);
    return evaluate(
        image,
        manifestDigest,
        needsSignatures ? source.signaturesOf(image, manifestDigest) : List.of());
  }

  public PolicyDecision evaluate(
      ImageReference image, Digest manifestDigest, List<SignatureManifest> signatures) {
    TrustPolicy.Scope scope = policy.scopeFor(image);
    List<VerifiedSignature> signers = new ArrayList<>();
    List<SignatureRefusal> refusals = new ArrayList<>();
    for (Requirement requirement : scope.requirements()) {
      if (requirement instanceof Requirement.Reject) {
        refusals.add(
            new SignatureRefusal(
                SignatureRefusal.Reason.REJECTED, "the policy rejects every image in this scope"));
      } else if (requirement instanceof Requirement.SigstoreSigned signed) {
        VerificationResult result =
            Verifier.verify(
                signatures, signed.key(), signed.identity().expectedFor(image), manifestDigest);
        if (result.isVerified()) {
          signers.addAll(result.verified());
        } else {
          refusals.addAll(result.refusals());
        }
      }
      // insecureAcceptAnything adds nothing to check.
    }
    Verdict verdict =
        !refusals.isEmpty()
            ? Verdict.REFUSED
            : signers.isEmpty() ? Verdict.UNVERIFIED : Verdict.VERIFIED;
    return new PolicyDecision(
        verdict,
        policy.source().toString(),
        scope.name(),
        signers,
        verdict == Verdict.REFUSED ? refusals : List.of());
  }
}
