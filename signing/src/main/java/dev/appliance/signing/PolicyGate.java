package dev.appliance.signing;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.ManifestGate;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.TrustPolicy;
import dev.appliance.store.ImageStore;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The verification policy applied to every image taken from a registry (pull, and run of a remote
 * image): the served digest is checked before anything is downloaded, and once the image is stored
 * its signatures and attestations are kept with it, so that inspect and export check them offline.
 * Without a policy file every image is accepted with a warning, as podman does with none installed.
 *
 * <p>The attachments of an admitted image are looked up while its blobs download, not after: a
 * handful of small requests (a new connection, the referrers API, the cosign tag) that added a
 * tenth of a second or more to every pull.
 */
public final class PolicyGate implements ManifestGate {
  private final Optional<TrustPolicy> policy;
  private final RemoteSigning signing;
  private final RemoteSigning lookups;
  private final Consumer<String> warnings;
  private final Consumer<String> progress;
  private final Map<Digest, CompletableFuture<RemoteSigning.Attached>> attachments =
      new ConcurrentHashMap<>();

  /**
   * @param warnings lines the user must see (unverified image, attachments not kept)
   * @param progress lines a quiet run may drop (who signed, what was kept)
   */
  public PolicyGate(
      Optional<TrustPolicy> policy,
      RegistryOptions registry,
      TransferListener listener,
      Consumer<String> warnings,
      Consumer<String> progress) {
    this.policy = policy;
    this.signing = new RemoteSigning(registry, listener);
    // Silent: its lines would cut through the transfer's progress bar; a failed lookup is a
    // warning.
    this.lookups = new RemoteSigning(registry, TransferListener.NONE);
    this.warnings = warnings;
    this.progress = progress;
  }

  @Override
  public void admit(ImageReference image, Digest digest) {
    if (policy.isEmpty()) {
      warnings.accept(
          "warning: " + image + " (" + digest + ") is unverified: no signature policy file");
      lookUpAttachments(image, digest);
      return;
    }
    PolicyDecision decision = signing.decide(image, digest, policy.get());
    if (!decision.accepted()) {
      // An image the policy refuses is input the user cannot use, as export --kubevirt says too.
      throw new InvalidInputException(
          image + " (" + digest + ") " + decision.message() + "; nothing was stored");
    }
    if (!decision.signers().isEmpty()) {
      progress.accept(decision.message());
    }
    lookUpAttachments(image, digest);
  }

  private void lookUpAttachments(ImageReference image, Digest digest) {
    attachments.computeIfAbsent(
        digest,
        d ->
            CompletableFuture.supplyAsync(
                () -> lookups.attached(image, d),
                task -> {
                  Thread thread = new Thread(task, "attachments " + d.shortHex());
                  thread.setDaemon(true); // a failed pull exits without waiting for it
                  thread.start();
                }));
  }

  /**
   * Keeps the image's signatures and attestations: those the policy's keys verify, or every intact
   * one without keys. The image is already stored, so failing to fetch them is only a warning.
   */
  @Override
  public void stored(ImageStore store, ImageReference image, Digest digest) {
    List<java.security.interfaces.ECPublicKey> keys =
        policy.map(p -> p.keysFor(image)).orElse(List.of());
    try {
      RemoteSigning.Attached found = attachedTo(image, digest);
      LocalAttachments.Kept kept =
          new LocalAttachments(store).keep(digest, found.signatures(), found.attestations(), keys);
      if (kept.signatures() + kept.attestations() > 0) {
        progress.accept(
            "kept "
                + kept.signatures()
                + " signature manifest(s) and "
                + kept.attestations()
                + " attestation manifest(s) with the image");
      }
    } catch (ApplianceException | UncheckedIOException e) {
      warnings.accept("warning: signatures and attestations not kept: " + e.getMessage());
    }
  }

  /**
   * What the lookup started at admission found, or a lookup now for an image admitted elsewhere.
   */
  private RemoteSigning.Attached attachedTo(ImageReference image, Digest digest) {
    CompletableFuture<RemoteSigning.Attached> started = attachments.remove(digest);
    if (started == null) {
      return signing.attached(image, digest);
    }
    try {
      return started.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
