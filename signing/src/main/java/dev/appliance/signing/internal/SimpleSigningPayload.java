package dev.appliance.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The payload a cosign signature signs: the "simple signing" JSON naming the image's docker
 * reference and manifest digest. Parsed strictly, as containers/image does: unknown critical fields
 * are refused (a verifier must not ignore what it cannot check).
 */
public record SimpleSigningPayload(String dockerReference, Digest manifestDigest) {
  public static final String TYPE = "cosign container image signature";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static SimpleSigningPayload of(ImageReference ref, Digest digest) {
    return new SimpleSigningPayload(ref.toString(), digest);
  }

  /** Bytes in cosign's field order. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", dockerReference);
    critical.putObject("image").put("docker-manifest-digest", manifestDigest.toString());
    critical.put("type", TYPE);
    root.putNull("optional");
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses untrusted payload bytes; any deviation is an {@link InvalidInputException} saying which
   * field.
   */
  public static SimpleSigningPayload parse(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidInputException("payload is not valid JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("payload is not a JSON object");
    }
    onlyFields(root, Set.of("critical", "optional"), "payload");
    JsonNode critical = object(root.get("critical"), "critical");
    onlyFields(critical, Set.of("identity", "image", "type"), "critical");
    if (!TYPE.equals(critical.path("type").asText(null))) {
      throw new InvalidInputException(
          "critical.type is '"
              + Text.shown(critical.path("type").asText())
              + "', not '"
              + TYPE
              + "'");
    }
    JsonNode image = object(critical.get("image"), "critical.image");
    onlyFields(image, Set.of("docker-manifest-digest"), "critical.image");
    JsonNode identity = object(critical.get("identity"), "critical.identity");
    onlyFields(identity, Set.of("docker-reference"), "critical.identity");
    JsonNode optional = root.get("optional");
    if (optional == null || !(optional.isNull() || optional.isObject())) {
      throw new InvalidInputException("payload field optional must be null or an object");
    }
    String reference = text(identity.get("docker-reference"), "critical.identity.docker-reference");
    Digest digest;
    try {
      digest =
          Digest.parse(
              text(image.get("docker-manifest-digest"), "critical.image.docker-manifest-digest"));
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          "critical.image.docker-manifest-digest: " + e.getMessage(), e);
    }
    return new SimpleSigningPayload(reference, digest);
  }

  /** The signed reference as an image name (an invalid one is refused with the field named). */
  public ImageReference reference() {
    try {
      return ImageReference.parse(dockerReference);
    } catch (InvalidInputException e) {
      throw new InvalidInputException("critical.identity.docker-reference: " + e.getMessage(), e);
    }
  }

  private static JsonNode object(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw new InvalidInputException("payload field " + field + " is missing or not an object");
    }
    return node;
  }

  private static String text(JsonNode node, String field) {
    if (node == null || !node.isTextual()) {
      throw new InvalidInputException("payload field " + field + " is missing or not a string");
    }
    return node.asText();
  }

  private static void onlyFields(JsonNode node, Set<String> allowed, String where) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new InvalidInputException(where + " has unknown field '" + Text.shown(name) + "'");
      }
    }
    for (String name : allowed) {
      if (!node.has(name)) {
        throw new InvalidInputException(where + " lacks field '" + name + "'");
      }
    }
  }
}
