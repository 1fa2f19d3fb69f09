package dev.appliance.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;

import java.util.LinkedHashMap;
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

    private static final ObjectMapper JSON = new ObjectMapper();

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
     * Reads the metadata back from an image config's labels.
     *
     * @param image names the image in error messages
     * @throws InvalidInputException when the image is not an appliance or a label is malformed
     */
    public static ApplianceMetadata fromLabels(Map<String, String> labels, String image) {
        if (labels == null || !labels.containsKey(PREFIX + "name")) {
            throw new InvalidInputException(image + ": not an appliance image (no " + PREFIX + "* labels in its config)");
        }
        Map<String, String> l = new LinkedHashMap<>(labels);
        try {
            return new ApplianceMetadata(
                    l.get(PREFIX + "name"),
                    l.getOrDefault(PREFIX + "version", ""),
                    JSON.readValue(l.getOrDefault(PREFIX + "ports", "[]"), new TypeReference<List<Port>>() {}),
                    l.containsKey(PREFIX + "health") ? JSON.readValue(l.get(PREFIX + "health"), HealthCheck.class) : null,
                    Long.parseLong(l.getOrDefault(PREFIX + "memory-mib", "512")),
                    Integer.parseInt(l.getOrDefault(PREFIX + "cpus", "1")),
                    Long.parseLong(l.getOrDefault(PREFIX + "disk-bytes", Long.toString(2L << 30))),
                    JSON.readValue(l.getOrDefault(PREFIX + "kernels", "{}"), Kernels.class),
                    l.getOrDefault(PREFIX + "kernel-cmdline", ""),
                    JSON.readValue(l.getOrDefault(PREFIX + "params", "[]"), new TypeReference<List<Param>>() {}));
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new InvalidInputException(image + ": malformed appliance label: " + e.getMessage(), e);
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
