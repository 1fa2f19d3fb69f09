package dev.appliance.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.store.BuildProvenance;
import java.io.IOException;
import java.util.Map;

/**
 * What an attestation states about an image: the predicate's type URI and document.
 *
 * @param type e.g. {@value #SPDX} or {@value #SLSA_PROVENANCE}
 * @param document the predicate itself
 */
public record AttestationPredicate(String type, JsonNode document) {
  public static final String SPDX = "https://spdx.dev/Document";
  public static final String SLSA_PROVENANCE = "https://slsa.dev/provenance/v1";

  /** The buildType of appliance's SLSA provenance: a recipe built into an image. */
  public static final String BUILD_TYPE = "https://appliance.invalid/build-types/recipe/v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  public AttestationPredicate {
    document = document.deepCopy();
  }

  /** The image's SPDX SBOM (the document the build wrote) as an SPDX predicate. */
  public static AttestationPredicate spdx(byte[] sbom, String image) {
    try {
      JsonNode document = JSON.readTree(sbom);
      if (document == null || !document.isObject()) {
        throw new InvalidInputException(image + ": the SBOM is not a JSON object");
      }
      return new AttestationPredicate(SPDX, document);
    } catch (IOException e) {
      throw new InvalidInputException(image + ": the SBOM is not JSON: " + e.getMessage());
    }
  }

  /** SLSA provenance v1 of a build from what the build recorded. */
  public static AttestationPredicate slsaProvenance(BuildProvenance build) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode definition = root.putObject("buildDefinition");
    definition.put("buildType", BUILD_TYPE);
    ObjectNode external = definition.putObject("externalParameters");
    ObjectNode recipe = external.putObject("recipe");
    recipe.put("path", build.recipePath());
    recipe.set("digest", digestSet(build.recipeDigest()));
    if (build.gitCommit() != null) {
      ObjectNode git = recipe.putObject("git");
      git.put("commit", build.gitCommit());
      git.put("dirty", build.gitDirty());
      if (build.gitSource() != null) {
        git.put("source", build.gitSource());
      }
    }
    if (build.lockFileDigest() != null) {
      external.putObject("lockFile").set("digest", digestSet(build.lockFileDigest()));
    }
    ObjectNode internal = definition.putObject("internalParameters");
    internal.put("baseSuite", build.baseSuite());
    if (build.mirror() != null) {
      internal.put("mirror", build.mirror());
    }
    ObjectNode releases = internal.putObject("suiteReleases");
    build.suiteReleases().forEach((suite, date) -> releases.put(suite, date.toString()));
    ArrayNode dependencies = definition.putArray("resolvedDependencies");
    if (build.gitCommit() != null && build.gitSource() != null) {
      ObjectNode source = dependencies.addObject();
      source.put("uri", "git+" + build.gitSource());
      source.putObject("digest").put("gitCommit", build.gitCommit());
    }
    for (Map.Entry<String, Digest> file : build.recipeFiles().entrySet()) {
      ObjectNode dependency = dependencies.addObject();
      dependency.put("name", file.getKey());
      dependency.set("digest", digestSet(file.getValue()));
    }
    ObjectNode run = root.putObject("runDetails");
    ObjectNode builder = run.putObject("builder");
    builder.put("id", BuildProvenance.BUILDER_ID + "@" + build.builderVersion());
    builder.putObject("version").put("appliance", build.builderVersion());
    run.putObject("metadata").put("finishedOn", build.created().toString());
    return new AttestationPredicate(SLSA_PROVENANCE, root);
  }

  private static ObjectNode digestSet(Digest digest) {
    ObjectNode set = JSON.createObjectNode();
    set.put(digest.algorithm(), digest.hex());
    return set;
  }
}
