package dev.appliance.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.appliance.common.InvalidInputException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an appliance image tells the runtime and the exporters about itself. It
 * travels in the OCI image config's labels under {@link #PREFIX}, so any registry
 * and any OCI tool carries it unchanged (see docs/image-format.md).
 *
 * @param name          appliance name from the recipe
 * @param version       appliance version from the recipe
 * @param ports         ports the appliance offers
 * @param health        how to tell the appliance is ready; null when it has none
 * @param memoryMiB     memory the appliance wants
 * @param cpus          virtual CPUs the appliance wants
 * @param diskBytes     size of the root disk
 * @param kernels       where the kernels live inside the image
 * @param kernelCmdline extra kernel command line arguments
 * @param params        first-boot parameters the appliance accepts
 */
public record ApplianceMetadata(
        String name,
        String version,
        List<Port> ports,
        HealthCheck health,
        long memoryMiB,
        int cpus,
        long diskBytes,
        Kernels kernels,
        String kernelCmdline,
        List<Param> params) {

    public static final String PREFIX = "dev.appliance.";

    public ApplianceMetadata {
        ports = List.copyOf(ports);
        params = List.copyOf(params);
        kernelCmdline = kernelCmdline == null ? "" : kernelCmdline;
    }

    /** A port the appliance serves, e.g. {@code http 80/tcp}. */
    public record Port(String name, int port, String protocol) {}

    /**
     * Readiness probe: {@code http} (GET {@code path} on {@code port} answers
     * {@code status}) or {@code tcp} (a connection to {@code port} succeeds).
     */
    public record HealthCheck(String type, int port, String path, int status, int timeoutSeconds) {}

    /** Paths inside the image's root filesystem; null where the image has none. */
    public record Kernels(String qemuKernel, String qemuInitrd, String umlKernel) {}

    /** A first-boot parameter; secret ones are never echoed or logged. */
    public record Param(String name, String defaultValue, boolean secret, String description) {}

    /** Strict: unknown fields, nulls for numbers, trailing data and numbers given as text are errors. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** Labels to put in the image config, sorted so the config is reproducible. */
    public Map<String, String> toLabels() {
        Map<String, String> labels = new TreeMap<>();
        labels.put(PREFIX + "name", name);
        labels.put(PREFIX + "version", version);
        labels.put(PREFIX + "ports", json(ports));
        if (health != null) {
            labels.put(PREFIX + "health", json(health));
        }
        labels.put(PREFIX + "memory-mib", Long.toString(memoryMiB));
        labels.put(PREFIX + "cpus", Integer.toString(cpus));
        labels.put(PREFIX + "disk-bytes", Long.toString(diskBytes));
        labels.put(PREFIX + "kernels", json(kernels));
        labels.put(PREFIX + "kernel-cmdline", kernelCmdline);
        labels.put(PREFIX + "params", json(params));
        return labels;
    }

    /**
     * Reads the metadata back from an image config's labels and checks it against
     * {@link MetadataRules}: labels come from an image, which is untrusted.
     *
     * @param image names the image in error messages
     * @throws InvalidInputException when the image is not an appliance or a label is malformed or breaks a rule
     */
    public static ApplianceMetadata fromLabels(Map<String, String> labels, String image) {
        if (labels == null || !labels.containsKey(PREFIX + "name")) {
            throw new InvalidInputException(image + ": not an appliance image (no " + PREFIX + "* labels in its config)");
        }
        LabelReader l = new LabelReader(labels, image);
        return new MetadataValidator(image).check(new ApplianceMetadata(
                l.text("name", null),
                l.text("version", ""),
                l.list("ports", new TypeReference<List<Port>>() {}),
                l.json("health", HealthCheck.class),
                l.number("memory-mib", 512),
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l.number("cpus", 1))), // the rule refuses both ends
                l.number("disk-bytes", 2L << 30),
                l.json("kernels", Kernels.class),
                l.text("kernel-cmdline", ""),
                l.list("params", new TypeReference<List<Param>>() {})));
    }

    /** One image's {@code dev.appliance.*} labels, each parsed on its own so an error names it. */
    private record LabelReader(Map<String, String> labels, String image) {
        String text(String label, String fallback) {
            return labels.getOrDefault(PREFIX + label, fallback);
        }

        long number(String label, long fallback) {
            String text = labels.get(PREFIX + label);
            if (text == null) {
                return fallback;
            }
            if (!text.matches("-?[0-9]+")) {
                throw malformed(label, MetadataRules.quote(text) + " is not a whole number");
            }
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw malformed(label, MetadataRules.quote(text) + " is too large");
            }
        }

        <T> T json(String label, Class<T> type) {
            String text = labels.get(PREFIX + label);
            try {
                return text == null ? null : JSON.readValue(text, type);
            } catch (JsonProcessingException e) {
                throw malformed(label, MetadataRules.printable(e.getOriginalMessage()));
            }
        }

        <T> List<T> list(String label, TypeReference<List<T>> type) {
            String text = labels.getOrDefault(PREFIX + label, "[]");
            List<T> items;
            try {
                items = JSON.readValue(text, type);
            } catch (JsonProcessingException e) {
                throw malformed(label, MetadataRules.printable(e.getOriginalMessage()));
            }
            if (items == null || items.contains(null)) {
                throw malformed(label, "expected a JSON list of objects, found null");
            }
            return items;
        }

        private InvalidInputException malformed(String label, String message) {
            return new InvalidInputException(image + ": malformed label " + PREFIX + label + ": " + message);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
