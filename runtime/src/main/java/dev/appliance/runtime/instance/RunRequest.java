package dev.appliance.runtime.instance;

import java.util.List;
import java.util.Map;

/**
 * What {@code appliance run} asks for. Null means "the image's default".
 *
 * @param ports   {@code -p} values
 * @param memory  e.g. {@code 1G} or {@code 512M}
 * @param engine  auto, kvm, uml or tcg
 * @param params  first-boot parameters
 * @param secrets secret parameters, already read from their files or stdin
 * @param volumes {@code NAME:/guest/path} values
 * @param isolation how far the instance is kept from the host
 */
public record RunRequest(
        String image,
        String name,
        List<String> ports,
        String memory,
        Integer cpus,
        String engine,
        Map<String, String> params,
        Map<String, byte[]> secrets,
        List<String> volumes,
        Isolation isolation) {

    public RunRequest {
        ports = List.copyOf(ports);
        params = Map.copyOf(params);
        secrets = Map.copyOf(secrets);
        volumes = List.copyOf(volumes);
    }

    /**
     * @param noSandbox         run engines unconfined even when the image came from a registry
     * @param allowHostLoopback let the guest reach the host's 127.0.0.1 through its gateway 10.0.2.2
     */
    public record Isolation(boolean noSandbox, boolean allowHostLoopback) {
        /** The default: engines sandboxed, guests kept off the host's loopback. */
        public static final Isolation DEFAULT = new Isolation(false, false);
    }
}
