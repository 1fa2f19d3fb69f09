package dev.appliance.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON reading and writing shared by the OCI documents. Field order is fixed so output is
 * reproducible.
 */
final class OciJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private OciJson() {}

  static JsonNode read(byte[] json, String what) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new InvalidInputException(what + ": not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new InvalidInputException(what + ": malformed JSON: " + e.getMessage(), e);
    }
  }

  static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode descriptor(Descriptor d) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    if (!d.annotations().isEmpty()) {
      node.set("annotations", stringMap(d.annotations()));
    }
    return node;
  }

  static Descriptor descriptor(JsonNode node, String what) {
    if (node == null || !node.isObject()) {
      throw new InvalidInputException(what + ": missing descriptor");
    }
    String digest = node.path("digest").asText(null);
    if (digest == null
        || !node.path("size").isIntegralNumber()
        || !node.path("size").canConvertToLong()) {
      throw new InvalidInputException(what + ": descriptor without digest or integer size");
    }
    long size = node.path("size").asLong();
    if (size < 0 || size > Descriptor.MAX_SIZE) {
      throw new InvalidInputException(
          what
              + ": descriptor size "
              + size
              + " is out of range (0 to "
              + Descriptor.MAX_SIZE
              + " bytes)");
    }
    Digest parsed;
    try {
      parsed = Digest.parse(digest);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(what + ": " + e.getMessage(), e);
    }
    return new Descriptor(
        node.path("mediaType").asText(""), parsed, size, stringMap(node.get("annotations")));
  }

  static List<Descriptor> descriptors(JsonNode array, String what) {
    List<Descriptor> list = new ArrayList<>();
    if (array != null && array.isArray()) {
      for (JsonNode item : array) {
        list.add(descriptor(item, what));
      }
    }
    return list;
  }

  static ArrayNode descriptors(List<Descriptor> list) {
    ArrayNode array = MAPPER.createArrayNode();
    list.forEach(d -> array.add(descriptor(d)));
    return array;
  }

  static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode node = MAPPER.createObjectNode();
    new TreeMap<>(map).forEach(node::put);
    return node;
  }

  static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new TreeMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    }
    return map;
  }
}
