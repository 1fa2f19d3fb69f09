package dev.appliance.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The version of the data an appliance keeps on its volumes, and the guest program that moves older
 * data up to it. Travels in the label {@value #LABEL} (JSON), apart from {@link ApplianceMetadata}
 * so images without it keep their digest. An image without the label has data version 0.
 *
 * @param version a whole number from 1; raised by a recipe when its data format changes
 * @param upgrade absolute path of an executable in the image, run by the guest as {@code upgrade
 *     FROM TO} once after the version moved up; null when moving up needs no work
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataFormat(int version, String upgrade) {
  public static final String LABEL = ApplianceMetadata.PREFIX + "data";
  public static final MetadataRules.Range VERSION = new MetadataRules.Range(1, 1_000_000);

  /**
   * Hook paths reach the guest's kernel command line: no space, quote or control character, so the
   * path can only ever be one argument there.
   */
  private static final Pattern HOOK = Pattern.compile("/[A-Za-z0-9._+/-]{1,255}");

  public static final String HOOK_EXPECTED =
      "an absolute path of at most 256 characters from letters, digits and . _ + - /";

  private static final ObjectMapper JSON = ApplianceMetadata.JSON;

  /** Whether {@code path} is acceptable as a hook path. */
  public static boolean isHookPath(String path) {
    return path != null && HOOK.matcher(path).matches() && MetadataRules.isImagePath(path);
  }

  /** The label's value. */
  public String toLabel() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads and checks the label of an (untrusted) image.
   *
   * @param image names the image in error messages
   * @return empty when the image has no such label (data version 0)
   * @throws InvalidInputException when the label is malformed
   */
  public static Optional<DataFormat> fromLabels(Map<String, String> labels, String image) {
    String text = labels == null ? null : labels.get(LABEL);
    if (text == null) {
      return Optional.empty();
    }
    DataFormat format;
    try {
      format = JSON.readValue(text, DataFormat.class);
    } catch (JsonProcessingException e) {
      throw malformed(image, MetadataRules.printable(e.getOriginalMessage()));
    }
    if (format == null || !VERSION.contains(format.version())) {
      throw malformed(image, "version must be from " + VERSION.min() + " to " + VERSION.max());
    }
    if (format.upgrade() != null && !isHookPath(format.upgrade())) {
      throw malformed(
          image, "upgrade " + MetadataRules.quote(format.upgrade()) + " is not " + HOOK_EXPECTED);
    }
    return Optional.of(format);
  }

  /** The data version of an image: its label's, or 0 without one. */
  public static int versionOf(DataFormat format) {
    return format == null ? 0 : format.version();
  }

  private static InvalidInputException malformed(String image, String message) {
    return new InvalidInputException(image + ": malformed label " + LABEL + ": " + message);
  }
}
