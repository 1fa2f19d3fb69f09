package dev.appliance.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An OCI image config, keeping its exact bytes like {@link Manifest}. Appliance metadata lives in
 * {@link #labels()} (see {@link ApplianceMetadata}).
 *
 * @param diffIds digests of the uncompressed layers, bottom first
 */
public record ImageConfig(
    byte[] raw,
    String architecture,
    String os,
    Instant created,
    Map<String, String> labels,
    List<Digest> diffIds) {

  public ImageConfig {
    raw = raw.clone();
    labels = Map.copyOf(labels);
    diffIds = List.copyOf(diffIds);
  }

  /** A history entry: what made a layer, shown by inspect. */
  public record History(String createdBy, String comment) {}

  public static ImageConfig parse(byte[] raw, String where) {
    JsonNode node = OciJson.read(raw, where);
    List<Digest> diffIds = new ArrayList<>();
    node.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(Digest.parse(d.asText())));
    String created = node.path("created").asText(null);
    return new ImageConfig(
        raw,
        node.path("architecture").asText(""),
        node.path("os").asText(""),
        created == null ? null : Instant.parse(created),
        OciJson.stringMap(node.path("config").get("Labels")),
        diffIds);
  }

  /** Writes a new linux/amd64 config with a fixed field order, so equal inputs give equal bytes. */
  public static ImageConfig create(
      Instant created, Map<String, String> labels, List<Digest> diffIds, List<History> history) {
    ObjectNode node = OciJson.MAPPER.createObjectNode();
    node.put("created", created.toString());
    node.put("architecture", "amd64");
    node.put("os", "linux");
    ObjectNode config = node.putObject("config");
    config.set("Labels", OciJson.stringMap(labels));
    ObjectNode rootfs = node.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    diffIds.forEach(d -> ids.add(d.toString()));
    ArrayNode hist = node.putArray("history");
    for (History h : history) {
      ObjectNode entry = hist.addObject();
      entry.put("created", created.toString());
      entry.put("created_by", h.createdBy());
      if (h.comment() != null) {
        entry.put("comment", h.comment());
      }
    }
    return new ImageConfig(OciJson.write(node), "amd64", "linux", created, labels, diffIds);
  }

  /** The appliance metadata in the labels; {@code image} names the image in errors. */
  public ApplianceMetadata appliance(String image) {
    return ApplianceMetadata.fromLabels(labels, image);
  }

  public Digest digest() {
    return Digest.sha256(raw);
  }

  public Descriptor descriptor() {
    return new Descriptor(MediaTypes.OCI_CONFIG, digest(), raw.length);
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImageConfig c && Arrays.equals(raw, c.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "ImageConfig[" + digest() + "]";
  }
}
