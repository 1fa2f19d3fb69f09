package dev.appliance.cli;

import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.PolicyGate;
import dev.appliance.signing.StoredImagePolicy;
import dev.appliance.signing.policy.PolicyFiles;
import dev.appliance.signing.policy.TrustPolicy;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * --policy for the commands that take images from a registry (pull, run), export --kubevirt, verify
 * and inspect --attestations.
 */
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

  /**
   * The policy applied to images taken from a registry: checks the served digest before anything is
   * downloaded, then keeps the image's signatures and attestations with it. Warnings always reach
   * {@code err}; who signed and what was kept are {@code progress} (dropped by --quiet).
   */
  PolicyGate gate(
      RegistryOptions registry,
      TransferListener listener,
      PrintWriter err,
      Consumer<String> progress) {
    return new PolicyGate(
        read(),
        registry,
        listener,
        line -> {
          err.println(line);
          err.flush();
        },
        progress);
  }

  /** The keys the policy in force requires for {@code image}; empty without a policy. */
  List<ECPublicKey> keysFor(ImageReference image) {
    return read().map(p -> p.keysFor(image)).orElse(List.of());
  }

  /**
   * Checks an image already in the store (export --kubevirt) against the signatures the store keeps
   * for it (from its pull): refused is invalid input, before anything is written.
   */
  void admitStored(ImageStore store, StoredImage image, PrintWriter err) {
    StoredImagePolicy.admit(
        read(),
        store,
        image,
        line -> {
          err.println(line);
          err.flush();
        });
  }
}
