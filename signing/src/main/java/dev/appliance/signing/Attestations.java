package dev.appliance.signing;

import dev.appliance.oci.Digest;
import java.util.Map;

/**
 * How cosign stores attestations, and the names appliance gives them as OCI 1.1 referrers: each is
 * a DSSE envelope (an in-toto statement signed with the image's cosign key) in a layer annotated
 * with its predicate type.
 */
public final class Attestations {
  /** The layer media type of a DSSE envelope. */
  public static final String ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  /** The layer annotation naming the statement's predicate type (cosign's). */
  public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";

  /** The referrer artifactType of each predicate appliance attaches. */
  public static final Map<String, String> ARTIFACT_TYPES =
      Map.of(
          AttestationPredicate.SPDX, "application/vnd.in-toto.spdx+dsse",
          AttestationPredicate.SLSA_PROVENANCE, "application/vnd.in-toto.provenance+dsse");

  /** The referrer artifactType of other predicates. */
  public static final String OTHER_ARTIFACT_TYPE = "application/vnd.in-toto+dsse";

  private Attestations() {}

  /** The tag cosign stores the attestations of {@code image} under: {@code sha256-<hex>.att}. */
  public static String tagFor(Digest image) {
    return image.algorithm() + "-" + image.hex() + ".att";
  }

  public static String artifactType(String predicateType) {
    return ARTIFACT_TYPES.getOrDefault(predicateType, OTHER_ARTIFACT_TYPE);
  }
}
