package dev.appliance.cli;

import dev.appliance.builder.UserNamespace;
import dev.appliance.common.InvalidInputException;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.SignatureRefusal;
import dev.appliance.signing.VerifiedSignature;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.TrustPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "verify",
    description = {
      "Check the signatures of an image in a registry and print who signed what (key fingerprint, identity, digest).",
      "With --rebuild: rebuild a local image from its recipe and lock file and compare digests (exit 0 identical, 1 different).",
      "With --key: a signature by that key naming IMAGE; else the policy's requirements for IMAGE.",
      "Exit 0 verified, 1 refused (the reason is printed), 2 bad input."
    })
final class VerifyCommand extends RegistryCommand {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "REGISTRY/REPOSITORY[:TAG|@DIGEST]; with --rebuild a local image")
  String image;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "Public key the image must be signed with.")
  Path key;

  @Mixin PolicyOptions policy;

  @Mixin RebuildOptions rebuild;

  @Override
  public Integer call() {
    rebuild.requireConsistent();
    if (rebuild.rebuild) {
      if (key != null || policy.policy != null) {
        throw new InvalidInputException(
            "--rebuild checks a rebuild, not signatures: drop --key and --policy");
      }
      // A rebuild builds root file systems: as root of a user namespace without root, as 'build'.
      return UserNamespace.needed()
          ? UserNamespace.rerunThisProcess()
          : rebuild.run(
              image,
              dirs(),
              BuildProgress.of(err(), output.quiet, rebuild.verbose),
              out(),
              output.json);
    }
    RemoteSigning signing = new RemoteSigning(registryOptions(), transferProgress("verifying"));
    RemoteSigning.Verification result;
    if (key != null) {
      if (policy.policy != null) {
        throw new InvalidInputException("--key and --policy: give one");
      }
      result = signing.verifyWithKey(image, PublicKeys.read(key));
    } else {
      TrustPolicy trust =
          policy
              .read()
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "no --key, no --policy and no policy file: nothing to verify against"));
      result = signing.verifyWithPolicy(image, trust);
    }
    PolicyDecision decision = result.decision();
    for (VerifiedSignature signer : decision.signers()) {
      out()
          .println(
              "verified: "
                  + signer.signedReference()
                  + " "
                  + signer.manifestDigest()
                  + " signed by key "
                  + signer.keyFingerprint());
    }
    if (!decision.accepted()) {
      for (SignatureRefusal refusal : decision.refusals()) {
        err().println("refused: " + refusal);
      }
      err().println(result.image() + " (" + result.digest() + ") is not verified");
      return 1;
    }
    if (decision.signers().isEmpty()) {
      out().println(decision.message());
    }
    return 0;
  }
}
