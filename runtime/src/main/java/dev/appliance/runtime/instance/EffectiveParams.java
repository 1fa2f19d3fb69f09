package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** The first-boot parameters an instance gets: the image's defaults and the request's checked. */
final class EffectiveParams {
  private EffectiveParams() {}

  /**
   * @throws InvalidInputException for a parameter or secret the image does not declare, or a secret
   *     given as a plain value
   */
  static Map<String, String> of(RunRequest request, ApplianceMetadata meta) {
    Map<String, ApplianceMetadata.Param> declared = new LinkedHashMap<>();
    meta.params().forEach(p -> declared.put(p.name(), p));
    Map<String, String> effective = new LinkedHashMap<>();
    for (ApplianceMetadata.Param p : meta.params()) {
      if (!p.secret() && p.defaultValue() != null) {
        effective.put(p.name(), p.defaultValue());
      }
    }
    for (Map.Entry<String, String> e : request.params().entrySet()) {
      ApplianceMetadata.Param p = declared.get(e.getKey());
      if (p == null) {
        throw new InvalidInputException(
            "parameter "
                + e.getKey()
                + ": "
                + request.image()
                + " has no such parameter"
                + known(declared));
      }
      if (p.secret()) {
        throw new InvalidInputException(
            "parameter "
                + e.getKey()
                + " is secret: give it as a secret (from a"
                + " file or standard input), never as a plain value");
      }
      effective.put(e.getKey(), e.getValue());
    }
    for (String key : request.secrets().keySet()) {
      if (!declared.containsKey(key)) {
        throw new InvalidInputException(
            "secret " + key + ": " + request.image() + " has no such parameter" + known(declared));
      }
    }
    return effective;
  }

  private static String known(Map<String, ApplianceMetadata.Param> declared) {
    return declared.isEmpty()
        ? " (it takes none)"
        : " (it takes: " + String.join(", ", declared.keySet()) + ")";
  }
}
