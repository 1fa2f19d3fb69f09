package dev.appliance.runtime.rules;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * How an IDS rules bundle sits in a registry: an OCI 1.1 artifact (an image manifest with its own
 * artifactType, the empty config) whose one layer is an uncompressed tar of flat, regular files:
 * {@code NAME.rules} files and optionally {@code classification.config} and {@code
 * threshold.config}. The snort appliance's {@code appliance-ids-rules} reads it with the same names
 * and limits (recipes/snort/README.md); change both together.
 */
public final class RulesBundleFormat {
  public static final String ARTIFACT_TYPE = "application/vnd.appliance.ids.rules.v1";
  public static final String LAYER_MEDIA_TYPE = "application/vnd.appliance.ids.rules.v1.tar";
  static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
  static final byte[] EMPTY_CONFIG = {'{', '}'};

  /** Rule files: a plain name (no directory) ending in .rules. */
  static final Pattern RULES_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.rules");

  static final Set<String> CONFIG_NAMES = Set.of("classification.config", "threshold.config");

  static final int MAX_FILES = 256;

  /** ET Open's rules together are about 40 MB of text: room for it, not for a disk filler. */
  static final long MAX_TOTAL_BYTES = 64L << 20;

  private RulesBundleFormat() {}

  static boolean allowedName(String name) {
    return RULES_NAME.matcher(name).matches() || CONFIG_NAMES.contains(name);
  }
}
