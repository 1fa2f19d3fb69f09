package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.registry.ManifestGate;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.PolicyFiles;
import dev.appliance.signing.policy.TrustPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** --policy for the commands that take images from a registry (pull, run) and for verify. */
final class PolicyOptions {
  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "containers-policy.json to apply (default: $XDG_CONFIG_HOME/containers/policy.json,"
              + " else /etc/containers/policy.json; for pull and run, none means unverified, with a warning).")
  Path policy;

  /**
   * The policy in force: --policy, else the user's, else the system's; empty when there is none.
   */
  Optional<TrustPolicy> read() {
    return PolicyFiles.standard().locate(policy).map(TrustPolicy::read);
  }

  /** Checks the digest the registry serves before anything is downloaded or stored. */
  ManifestGate gate(RegistryOptions registry, TransferListener listener, PrintWriter err) {
    Optional<TrustPolicy> trust = read();
    if (trust.isEmpty()) {
      return (image, digest) -> {
        err.println(
            "warning: " + image + " (" + digest + ") is unverified: no signature policy file");
        err.flush();
      };
    }
    RemoteSigning signing = new RemoteSigning(registry, listener);
    return (image, digest) -> {
      PolicyDecision decision = signing.decide(image, digest, trust.get());
      if (!decision.accepted()) {
        throw new ApplianceException(
            image + " (" + digest + ") " + decision.message() + "; nothing was stored");
      }
      if (!decision.signers().isEmpty()) {
        err.println(decision.message());
        err.flush();
      }
    };
  }
}
