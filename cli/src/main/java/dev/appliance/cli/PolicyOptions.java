package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.registry.ManifestGate;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.PolicyFiles;
import dev.appliance.signing.policy.TrustPolicy;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** --policy for the commands that take images from a registry (pull, run, export --kubevirt). */
final class PolicyOptions {
    @Option(names = "--policy", paramLabel = "FILE",
            description = "containers-policy.json the image must satisfy (default: $XDG_CONFIG_HOME/containers/policy.json,"
                    + " else /etc/containers/policy.json; none: the image is used unverified, with a warning).")
    Path policy;

    /** Checks the digest the registry serves before anything is downloaded or stored. */
    ManifestGate gate(RegistryOptions registry, TransferListener listener, PrintWriter err) {
        Optional<Path> file = PolicyFiles.standard().locate(policy);
        if (file.isEmpty()) {
            return (image, digest) -> {
                err.println("warning: " + image + " (" + digest + ") is unverified: no signature policy file");
                err.flush();
            };
        }
        TrustPolicy trust = TrustPolicy.read(file.get());
        RemoteSigning signing = new RemoteSigning(registry, listener);
        return (image, digest) -> {
            PolicyDecision decision = signing.decide(image, digest, trust);
            if (!decision.accepted()) {
                throw new ApplianceException(image + " (" + digest + ") " + decision.message() + "; nothing was stored");
            }
            if (!decision.signers().isEmpty()) {
                err.println(decision.message());
                err.flush();
            }
        };
    }
}
