package dev.appliance.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two manifest shapes cosign stores signed payloads in, for signatures and attestations alike:
 * the tag scheme's manifest (every payload of an image as one more layer, with
 * go-containerregistry's empty image config) and the OCI 1.1 referrer (one payload, the empty
 * config, a subject).
 */
final class CosignManifests {
  /** OCI 1.1's empty descriptor content, the config of artifacts with no config. */
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CosignManifests() {}

  /**
   * {@code existing} (the manifest under the tag, or null when there is none) with one more payload
   * layer. Blobs of {@code existing} that were supplied are kept; the registry has the others.
   */
  static SignatureManifest appended(SignatureManifest existing, Descriptor layer, byte[] content) {
    List<Descriptor> layers =
        new ArrayList<>(existing == null ? List.of() : existing.manifest().layers());
    layers.add(layer);
    Map<Digest, byte[]> blobs = new LinkedHashMap<>(existing == null ? Map.of() : existing.blobs());
    blobs.put(layer.digest(), content);
    return tagged(layers, blobs);
  }

  /**
   * The tag scheme's manifest of {@code layers}; {@code blobs} are those of them to upload (any
   * other blob given is dropped).
   */
  static SignatureManifest tagged(List<Descriptor> layers, Map<Digest, byte[]> blobs) {
    Map<Digest, byte[]> layerBlobs = new LinkedHashMap<>();
    for (Descriptor layer : layers) {
      if (blobs.containsKey(layer.digest())) {
        layerBlobs.put(layer.digest(), blobs.get(layer.digest()));
      }
    }
    // cosign's config: go-containerregistry's empty image config, one diff_id per (uncompressed)
    // payload layer.
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "");
    config.put("created", "0001-01-01T00:00:00Z");
    config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
    config.put("os", "");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    layers.forEach(l -> diffIds.add(l.digest().toString()));
    config.putObject("config");
    return manifest(MediaTypes.OCI_CONFIG, bytes(config), layers, layerBlobs, null, null);
  }

  /** One payload as an OCI 1.1 referrer of {@code subject} (the image manifest's descriptor). */
  static SignatureManifest referrer(
      String artifactType, Descriptor layer, byte[] content, Descriptor subject) {
    return manifest(
        EMPTY_MEDIA_TYPE,
        EMPTY_JSON,
        List.of(layer),
        Map.of(layer.digest(), content),
        artifactType,
        subject);
  }

  private static SignatureManifest manifest(
      String configType,
      byte[] config,
      List<Descriptor> layers,
      Map<Digest, byte[]> layerBlobs,
      String artifactType,
      Descriptor subject) {
    Descriptor configDescriptor = new Descriptor(configType, Digest.sha256(config), config.length);
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (artifactType != null) {
      root.put("artifactType", artifactType);
    }
    root.set("config", descriptor(configDescriptor));
    ArrayNode layerArray = root.putArray("layers");
    layers.forEach(layer -> layerArray.add(descriptor(layer)));
    if (subject != null) {
      root.set(
          "subject",
          descriptor(new Descriptor(subject.mediaType(), subject.digest(), subject.size())));
    }
    Map<Digest, byte[]> blobs = new LinkedHashMap<>(layerBlobs);
    blobs.put(configDescriptor.digest(), config);
    return new SignatureManifest(Manifest.parse(bytes(root), "signature manifest"), blobs);
  }

  private static ObjectNode descriptor(Descriptor d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    if (!d.annotations().isEmpty()) {
      ObjectNode annotations = node.putObject("annotations");
      d.annotations().forEach(annotations::put);
    }
    return node;
  }

  static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
