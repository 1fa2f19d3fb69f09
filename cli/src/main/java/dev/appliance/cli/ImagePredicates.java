package dev.appliance.cli;

import dev.appliance.builder.Inspector;
import dev.appliance.common.InvalidInputException;
import dev.appliance.signing.AttestationPredicate;
import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.util.ArrayList;
import java.util.List;

/** What push --sign-key and attest attest about a stored image: its SBOM and its build record. */
final class ImagePredicates {
  private ImagePredicates() {}

  /** The predicates the store has for {@code image}; empty when it has neither. */
  static List<AttestationPredicate> of(ImageStore store, StoredImage image) {
    List<AttestationPredicate> predicates = new ArrayList<>();
    if (Inspector.hasSbom(image)) {
      predicates.add(AttestationPredicate.spdx(Inspector.sbom(image), image.name()));
    }
    new ImageAttachments(store)
        .provenance(image.descriptor().digest())
        .ifPresent(record -> predicates.add(AttestationPredicate.slsaProvenance(record)));
    return predicates;
  }

  /** As {@link #of}, but an image with nothing to attest is an error. */
  static List<AttestationPredicate> required(ImageStore store, StoredImage image) {
    List<AttestationPredicate> predicates = of(store, image);
    if (predicates.isEmpty()) {
      throw new InvalidInputException(
          image.name()
              + " has no SBOM and no build record in the local store: nothing to attest"
              + " (attestations are made for images built here by appliance build)");
    }
    return predicates;
  }
}
