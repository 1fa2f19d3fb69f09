package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.PolicyEvaluator;
import dev.appliance.signing.policy.TrustPolicy;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The verification policy applied to an image already in the store (export --kubevirt), against the
 * signatures the store kept for it from its pull; {@link PolicyGate} is the same policy for images
 * taken from a registry.
 */
public final class StoredImagePolicy {
  private StoredImagePolicy() {}

  /**
   * Admits {@code image} or refuses it (invalid input, before anything is written). Without a
   * policy it is accepted with a warning.
   *
   * @param notices the warning or the policy's verdict (who signed), one line
   */
  public static void admit(
      Optional<TrustPolicy> policy, ImageStore store, StoredImage image, Consumer<String> notices) {
    Digest digest = image.descriptor().digest();
    if (policy.isEmpty()) {
      notices.accept(
          "warning: " + image.name() + " (" + digest + ") is unverified: no signature policy file");
      return;
    }
    ImageReference named =
        nameOf(store, image)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        image.name()
                            + " has no tag, and the policy's scopes name images: tag it first"));
    PolicyDecision decision;
    try {
      decision =
          new PolicyEvaluator(policy.get()).evaluate(named, digest, new LocalAttachments(store));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!decision.accepted()) {
      throw new InvalidInputException(
          named + " (" + digest + ") " + decision.message() + "; nothing was exported");
    }
    notices.accept(decision.message());
  }

  /**
   * The name the policy scopes a stored image by: as given, or its first tag when given by digest;
   * empty for an untagged image given by digest.
   */
  public static Optional<ImageReference> nameOf(ImageStore store, StoredImage image) {
    Digest digest = image.descriptor().digest();
    String given = image.name();
    if (!given.matches("(sha256:)?[0-9a-f]{6,64}")) {
      return Optional.of(ImageReference.parse(given));
    }
    return store.tags().stream()
        .filter(t -> t.manifest().digest().equals(digest))
        .map(t -> ImageReference.parse(t.name()))
        .findFirst();
  }
}
