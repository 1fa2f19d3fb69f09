package dev.appliance.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import java.util.List;
import java.util.Map;

/**
 * An image manifest. It keeps the exact bytes it was read from (or written as): its digest is the
 * digest of those bytes, and a registry round trip must not re-serialize them.
 */
public record Manifest(
    byte[] raw,
    String mediaType,
    Descriptor config,
    List<Descriptor> layers,
    Map<String, String> annotations) {

  public Manifest {
    raw = raw.clone();
    layers = List.copyOf(layers);
    annotations = Map.copyOf(annotations);
  }

  /** Parses manifest bytes, checking they are an image manifest. */
  public static Manifest parse(byte[] raw, String where) {
    JsonNode node = OciJson.read(raw, where);
    String mediaType = node.path("mediaType").asText(MediaTypes.OCI_MANIFEST);
    if (!MediaTypes.isManifest(mediaType)) {
      throw new InvalidInputException(
          where
              + ": unsupported manifest media type '"
              + mediaType
              + "' (expected "
              + MediaTypes.OCI_MANIFEST
              + ")");
    }
    if (node.path("schemaVersion").asInt() != 2) {
      throw new InvalidInputException(where + ": manifest schemaVersion must be 2");
    }
    return new Manifest(
        raw,
        mediaType,
        OciJson.descriptor(node.get("config"), where + " config"),
        OciJson.descriptors(node.get("layers"), where + " layers"),
        OciJson.stringMap(node.get("annotations")));
  }

  /** Writes a new OCI manifest with a fixed field order. */
  public static Manifest create(
      Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    return create(null, config, layers, annotations);
  }

  /**
   * Writes a new OCI 1.1 artifact manifest: an image manifest whose {@code artifactType} says what
   * it holds (null: none, a plain image).
   */
  public static Manifest create(
      String artifactType,
      Descriptor config,
      List<Descriptor> layers,
      Map<String, String> annotations) {
    ObjectNode node = OciJson.MAPPER.createObjectNode();
    node.put("schemaVersion", 2);
    node.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (artifactType != null) {
      node.put("artifactType", artifactType);
    }
    node.set("config", OciJson.descriptor(config));
    node.set("layers", OciJson.descriptors(layers));
    if (!annotations.isEmpty()) {
      node.set("annotations", OciJson.stringMap(annotations));
    }
    return new Manifest(OciJson.write(node), MediaTypes.OCI_MANIFEST, config, layers, annotations);
  }

  public Digest digest() {
    return Digest.sha256(raw);
  }

  public Descriptor descriptor() {
    return new Descriptor(mediaType, digest(), raw.length);
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** Two manifests are equal when their bytes are: the digest says so. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Manifest m && java.util.Arrays.equals(raw, m.raw);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Manifest[" + digest() + ", " + layers.size() + " layers]";
  }

  /** Sum of the compressed layer sizes. */
  public long layersSize() {
    return layers.stream().mapToLong(Descriptor::size).sum();
  }
}
