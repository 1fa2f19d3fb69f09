package dev.appliance.oci;

import dev.appliance.common.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Applies {@link MetadataRules} to metadata read from an image's labels, before anything uses it:
 * an image is untrusted input. Each error names the image, the label and the entry, like a recipe
 * error names file, line and column.
 */
final class MetadataValidator {
  private static final MetadataRules.Range MEMORY_MIB =
      new MetadataRules.Range(
          MetadataRules.MEMORY_BYTES.min() >> 20, MetadataRules.MEMORY_BYTES.max() >> 20);

  private final String image;

  /**
   * @param image names the image in errors
   */
  MetadataValidator(String image) {
    this.image = image;
  }

  ApplianceMetadata check(ApplianceMetadata m) {
    text("name", "", m.name(), MetadataRules.NAME);
    if (!m.version().isEmpty()) {
      text("version", "", m.version(), MetadataRules.VERSION);
    }
    ports(m.ports());
    if (m.health() != null) {
      health(m.health(), m.ports());
    }
    range("memory-mib", "", m.memoryMiB(), MEMORY_MIB, false);
    range("cpus", "", m.cpus(), MetadataRules.CPUS, false);
    range("disk-bytes", "", m.diskBytes(), MetadataRules.DISK_BYTES, true);
    if (m.diskBytes() % (1L << 20) != 0) {
      throw error("disk-bytes", "", m.diskBytes() + " is not a whole number of MiB");
    }
    kernels(m.kernels());
    KernelArguments.split(m.kernelCmdline(), where("kernel-cmdline", ""));
    params(m.params());
    networks(m.networks());
    return m;
  }

  private void networks(List<ApplianceMetadata.Network> networks) {
    if (networks.size() > MetadataRules.MAX_NETWORKS) {
      throw error(
          "networks", "", networks.size() + " entries, more than " + MetadataRules.MAX_NETWORKS);
    }
    entries(
        "networks",
        networks,
        ApplianceMetadata.Network::name,
        MetadataRules.NETWORK_NAME,
        (n, entry) -> oneOf("networks", entry + ".role", n.role(), MetadataRules.NETWORK_ROLES));
  }

  private void ports(List<ApplianceMetadata.Port> ports) {
    Set<String> numbers = new HashSet<>();
    entries(
        "ports",
        ports,
        ApplianceMetadata.Port::name,
        MetadataRules.PORT_NAME,
        (p, entry) -> {
          range("ports", entry + ".port", p.port(), MetadataRules.PORT, false);
          oneOf("ports", entry + ".protocol", p.protocol(), MetadataRules.PROTOCOLS);
          if (!numbers.add(p.port() + "/" + p.protocol())) {
            throw error(
                "ports", entry + ".port", p.port() + "/" + p.protocol() + " is declared twice");
          }
        });
  }

  private void health(ApplianceMetadata.HealthCheck h, List<ApplianceMetadata.Port> ports) {
    oneOf("health", "type", h.type(), MetadataRules.HEALTH_TYPES);
    range("health", "port", h.port(), MetadataRules.PORT, false);
    if (ports.stream().noneMatch(p -> p.port() == h.port() && p.protocol().equals("tcp"))) {
      throw error("health", "port", h.port() + " is not one of the appliance's tcp ports");
    }
    range(
        "health",
        "timeoutSeconds",
        h.timeoutSeconds(),
        MetadataRules.HEALTH_TIMEOUT_SECONDS,
        false);
    if (h.type().equals("http")) {
      text("health", "path", h.path(), MetadataRules.HEALTH_PATH);
      range("health", "status", h.status(), MetadataRules.HEALTH_STATUS, false);
    }
  }

  private void kernels(ApplianceMetadata.Kernels k) {
    if (k == null) {
      return;
    }
    String[][] paths = {
      {"qemuKernel", k.qemuKernel()}, {"qemuInitrd", k.qemuInitrd()}, {"umlKernel", k.umlKernel()}
    };
    for (String[] p : paths) {
      if (p[1] != null && !MetadataRules.isImagePath(p[1])) {
        throw error(
            "kernels",
            p[0],
            MetadataRules.quote(p[1]) + " is not " + MetadataRules.IMAGE_PATH_EXPECTED);
      }
    }
  }

  private void params(List<ApplianceMetadata.Param> params) {
    entries(
        "params",
        params,
        ApplianceMetadata.Param::name,
        MetadataRules.PARAM_NAME,
        (p, entry) -> {
          if (p.secret() && p.defaultValue() != null) {
            throw error(
                "params", entry + ".defaultValue", "a secret parameter has no default in an image");
          }
          if (p.defaultValue() != null
              && p.defaultValue().length() > MetadataRules.MAX_DEFAULT_LENGTH) {
            throw error(
                "params",
                entry + ".defaultValue",
                "is longer than " + MetadataRules.MAX_DEFAULT_LENGTH + " characters");
          }
          if (p.description() != null) {
            text("params", entry + ".description", p.description(), MetadataRules.DESCRIPTION);
          }
        });
  }

  /**
   * A list label: bounded, each entry's name follows {@code nameRule} and is unique, then the
   * entry's own rules.
   */
  private <T> void entries(
      String label,
      List<T> items,
      Function<T, String> name,
      MetadataRules.Text nameRule,
      BiConsumer<T, String> rules) {
    if (items.size() > MetadataRules.MAX_LIST_SIZE) {
      throw error(label, "", items.size() + " entries, more than " + MetadataRules.MAX_LIST_SIZE);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String entry = label + "[" + i + "]";
      String itemName = name.apply(items.get(i));
      text(label, entry + ".name", itemName, nameRule);
      if (!names.add(itemName)) {
        throw error(label, entry + ".name", "'" + itemName + "' is declared twice");
      }
      rules.accept(items.get(i), entry);
    }
  }

  private void text(String label, String entry, String value, MetadataRules.Text rule) {
    if (!rule.accepts(value)) {
      throw error(label, entry, MetadataRules.quote(value) + " is not " + rule.expected());
    }
  }

  private void oneOf(String label, String entry, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw error(
          label,
          entry,
          MetadataRules.quote(value) + " is not one of " + String.join(", ", allowed));
    }
  }

  private void range(
      String label, String entry, long value, MetadataRules.Range range, boolean bytes) {
    if (!range.contains(value)) {
      String shown = bytes && value > 0 ? MetadataRules.human(value) : Long.toString(value);
      throw error(
          label,
          entry,
          shown
              + " is out of range ("
              + (bytes ? MetadataRules.humanRange(range) : range.min() + "-" + range.max())
              + ")");
    }
  }

  private InvalidInputException error(String label, String entry, String message) {
    return new InvalidInputException(where(label, entry) + ": " + message);
  }

  private String where(String label, String entry) {
    return image
        + ": label "
        + ApplianceMetadata.PREFIX
        + label
        + (entry.isEmpty() ? "" : " " + entry);
  }
}
