package dev.appliance.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.appliance.common.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The directories where an appliance keeps its state: the recipe's {@code state-dirs}, those of the
 * recipes it extends included. They travel in the label {@value #LABEL} (a JSON list), apart from
 * {@link ApplianceMetadata} so images without state directories keep their digest; {@code export
 * --kubevirt} gives them a persistent volume by default.
 *
 * @param dirs absolute directories inside the image, in recipe order; empty when none
 */
public record StateDirs(List<String> dirs) {
  public static final String LABEL = ApplianceMetadata.PREFIX + "state-dirs";

  public static final StateDirs NONE = new StateDirs(List.of());

  public StateDirs {
    dirs = List.copyOf(dirs);
  }

  /** The label's value; only meaningful when {@link #dirs} is not empty. */
  public String toLabel() {
    try {
      return ApplianceMetadata.JSON.writeValueAsString(dirs);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads and checks the label of an (untrusted) image: a JSON list of at most {@value
   * MetadataRules#MAX_LIST_SIZE} distinct absolute, normalized paths without control characters.
   *
   * @param image names the image in error messages
   * @return {@link #NONE} when the image has no such label
   * @throws InvalidInputException when the label is malformed, naming the image and the label
   */
  public static StateDirs fromLabels(Map<String, String> labels, String image) {
    String text = labels == null ? null : labels.get(LABEL);
    if (text == null) {
      return NONE;
    }
    List<String> dirs;
    try {
      dirs = ApplianceMetadata.JSON.readValue(text, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw malformed(image, MetadataRules.printable(e.getOriginalMessage()));
    }
    if (dirs == null || dirs.contains(null)) {
      throw malformed(image, "expected a JSON list of paths, found null");
    }
    if (dirs.size() > MetadataRules.MAX_LIST_SIZE) {
      throw malformed(image, "more than " + MetadataRules.MAX_LIST_SIZE + " directories");
    }
    for (String dir : dirs) {
      if (!MetadataRules.isImagePath(dir)) {
        throw malformed(
            image, MetadataRules.quote(dir) + " is not " + MetadataRules.IMAGE_PATH_EXPECTED);
      }
    }
    if (new HashSet<>(dirs).size() != dirs.size()) {
      throw malformed(image, "a directory is listed twice");
    }
    return new StateDirs(dirs);
  }

  private static InvalidInputException malformed(String image, String message) {
    return new InvalidInputException(image + ": malformed label " + LABEL + ": " + message);
  }
}
