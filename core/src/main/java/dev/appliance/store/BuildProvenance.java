package dev.appliance.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a build used, recorded with the image in the store so that push can attest it (SLSA
 * provenance) and a rebuild can repeat it: the recipe and the files it installs, their git commit,
 * the lock file, the base suite and the mirror's Release dates, the builder.
 *
 * @param recipePath the recipe file: relative to its git work tree's root when it is in one, else
 *     absolute
 * @param recipeDigest SHA-256 of the recipe file
 * @param recipeFiles every file of the recipe chain (the recipe, the recipes it extends, the files
 *     they install), by {@code recipePath}-style path, with their SHA-256
 * @param gitCommit the commit of the recipe's git repository, or null outside one
 * @param gitDirty whether that work tree had uncommitted changes
 * @param gitSource the repository's remote (credentials removed), or null
 * @param lockFileDigest SHA-256 of the lock file the build followed, or null when it had none
 * @param baseSuite the Debian suite of the base layer
 * @param mirror the Debian mirror URI the build used (credentials removed)
 * @param suiteReleases each suite used and the Date of its Release file the build used
 * @param builderVersion appliance's version
 * @param created the image's creation time (SOURCE_DATE_EPOCH)
 */
public record BuildProvenance(
    String recipePath,
    Digest recipeDigest,
    Map<String, Digest> recipeFiles,
    String gitCommit,
    boolean gitDirty,
    String gitSource,
    Digest lockFileDigest,
    String baseSuite,
    String mirror,
    Map<String, Instant> suiteReleases,
    String builderVersion,
    Instant created) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** The builder's name in SLSA provenance (runDetails.builder.id). */
  public static final String BUILDER_ID = "https://appliance.invalid/builder";

  public BuildProvenance {
    recipeFiles = Map.copyOf(new TreeMap<>(recipeFiles));
    suiteReleases = Map.copyOf(new TreeMap<>(suiteReleases));
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("recipePath", recipePath);
    root.put("recipeDigest", recipeDigest.toString());
    ObjectNode files = root.putObject("recipeFiles");
    new TreeMap<>(recipeFiles).forEach((path, digest) -> files.put(path, digest.toString()));
    root.put("gitCommit", gitCommit);
    root.put("gitDirty", gitDirty);
    root.put("gitSource", gitSource);
    root.put("lockFileDigest", lockFileDigest == null ? null : lockFileDigest.toString());
    root.put("baseSuite", baseSuite);
    root.put("mirror", mirror);
    ObjectNode suites = root.putObject("suiteReleases");
    new TreeMap<>(suiteReleases).forEach((suite, date) -> suites.put(suite, date.toString()));
    root.put("builderVersion", builderVersion);
    root.put("created", created.toString());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a record written by {@link #toJson()}; {@code where} names it in errors. */
  public static BuildProvenance parse(byte[] json, String where) {
    try {
      JsonNode root = JSON.readTree(json);
      Map<String, Digest> files = new TreeMap<>();
      root.path("recipeFiles")
          .fields()
          .forEachRemaining(e -> files.put(e.getKey(), Digest.parse(e.getValue().asText())));
      Map<String, Instant> suites = new TreeMap<>();
      root.path("suiteReleases")
          .fields()
          .forEachRemaining(e -> suites.put(e.getKey(), Instant.parse(e.getValue().asText())));
      return new BuildProvenance(
          required(root, "recipePath"),
          Digest.parse(required(root, "recipeDigest")),
          files,
          optional(root, "gitCommit"),
          root.path("gitDirty").asBoolean(false),
          optional(root, "gitSource"),
          optional(root, "lockFileDigest") == null
              ? null
              : Digest.parse(optional(root, "lockFileDigest")),
          required(root, "baseSuite"),
          optional(root, "mirror"),
          suites,
          required(root, "builderVersion"),
          Instant.parse(required(root, "created")));
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidInputException invalid) {
        throw invalid;
      }
      throw new InvalidInputException(where + ": not a build provenance record: " + e.getMessage());
    }
  }

  private static String required(JsonNode root, String field) {
    String value = optional(root, field);
    if (value == null) {
      throw new IllegalArgumentException("no " + field);
    }
    return value;
  }

  private static String optional(JsonNode root, String field) {
    JsonNode node = root.path(field);
    return node.isTextual() ? node.asText() : null;
  }
}
