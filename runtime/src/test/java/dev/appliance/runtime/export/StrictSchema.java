package dev.appliance.runtime.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A strict check of a document against OpenAPI (swagger 2) definitions, as {@code kubectl apply
 * --validate=strict} does: a field the definition does not list is an error, as are a wrong type, a
 * value outside an enum or pattern, a missing required field and a reference to a definition the
 * loaded set does not hold. Checking a whole document, give the path "" so errors name fields from
 * its top ({@code spec.template...}).
 */
final class StrictSchema {
  private final JsonNode definitions;

  private StrictSchema(JsonNode definitions) {
    this.definitions = definitions;
  }

  static StrictSchema load(String resource) throws IOException {
    try (InputStream in = StrictSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no test resource " + resource);
      }
      return new StrictSchema(new ObjectMapper().readTree(in).get("definitions"));
    }
  }

  /**
   * The kinds a manifest may hold: apiVersion and the definition each document is checked against.
   */
  private static final Map<String, List<String>> KINDS =
      Map.of(
          "VirtualMachine", List.of("kubevirt.io/v1", "kubevirt.v1.VirtualMachine"),
          "DataVolume", List.of("cdi.kubevirt.io/v1beta1", "v1beta1.DataVolume"),
          "Service", List.of("v1", "core.v1.Service"));

  /**
   * Every error of a multi-document manifest, each document checked whole against the definition of
   * its kind (an unknown kind or a wrong apiVersion is an error too), prefixed with "KIND: ".
   */
  List<String> checkManifest(List<JsonNode> documents) {
    List<String> errors = new ArrayList<>();
    for (JsonNode document : documents) {
      String kind = document.path("kind").asText();
      List<String> known = KINDS.get(kind);
      if (known == null) {
        errors.add("kind '" + kind + "' is not one the check knows");
        continue;
      }
      if (!known.get(0).equals(document.path("apiVersion").asText())) {
        errors.add(kind + ": apiVersion '" + document.path("apiVersion").asText() + "'");
      }
      check(document, known.get(1), "").forEach(e -> errors.add(kind + ": " + e));
    }
    return errors;
  }

  /** Every error found in {@code value} against the definition {@code name}; empty when valid. */
  List<String> check(JsonNode value, String name, String path) {
    List<String> errors = new ArrayList<>();
    checkRef(value, name, path, errors);
    return errors;
  }

  private void checkRef(JsonNode value, String name, String path, List<String> errors) {
    JsonNode definition = definitions.get(name);
    if (definition == null) {
      errors.add(path + ": definition " + name + " is not in the schema");
      return;
    }
    checkSchema(value, definition, path, errors);
  }

  private void checkSchema(JsonNode value, JsonNode schema, String path, List<String> errors) {
    if (schema.has("$ref")) {
      checkRef(value, schema.get("$ref").asText().replace("#/definitions/", ""), path, errors);
      return;
    }
    JsonNode types = schema.path("type");
    if (types.isArray()) {
      // KubeVirt's spec writes IntOrString as a list of types: any one of them will do.
      checkOneOf(value, types, path, errors);
      return;
    }
    String type = types.asText("");
    if ("int-or-string".equals(schema.path("format").asText())) {
      checkOneOf(
          value, new ObjectMapper().createArrayNode().add("string").add("integer"), path, errors);
      return;
    }
    switch (type) {
      case "object" -> checkObject(value, schema, path, errors);
      case "array" -> {
        if (!value.isArray()) {
          errors.add(path + ": expected an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          checkSchema(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          errors.add(path + ": expected a string, got " + value.getNodeType());
        } else if (schema.has("pattern")
            && !value.asText().matches(schema.get("pattern").asText())) {
          errors.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern"));
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          errors.add(path + ": expected a number, got " + value.getNodeType());
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          errors.add(path + ": expected an integer, got " + value.getNodeType());
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(path + ": expected a boolean, got " + value.getNodeType());
        }
      }
      default -> errors.add(path + ": schema type '" + type + "' not supported by the check");
    }
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
      }
      if (!listed) {
        errors.add(path + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
  }

  /** {@code value} must be of one of the scalar {@code types}. */
  private static void checkOneOf(JsonNode value, JsonNode types, String path, List<String> errors) {
    for (JsonNode type : types) {
      boolean matches =
          switch (type.asText()) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> false;
          };
      if (matches) {
        return;
      }
    }
    errors.add(path + ": expected one of " + types + ", got " + value.getNodeType());
  }

  private void checkObject(JsonNode value, JsonNode schema, String path, List<String> errors) {
    if (!value.isObject()) {
      errors.add(path + ": expected an object, got " + value.getNodeType());
      return;
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        errors.add(path + ": required field '" + required.asText() + "' missing");
      }
    }
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      if (properties != null && properties.has(field.getKey())) {
        checkSchema(field.getValue(), properties.get(field.getKey()), fieldPath, errors);
      } else if (additional != null) {
        checkSchema(field.getValue(), additional, fieldPath, errors);
      } else {
        errors.add(fieldPath + ": unknown field");
      }
    }
  }
}
