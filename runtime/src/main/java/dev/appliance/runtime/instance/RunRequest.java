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
        List<String> volumes) {

    public RunRequest {
        ports = List.copyOf(ports);
        params = Map.copyOf(params);
        secrets = Map.copyOf(secrets);
        volumes = List.copyOf(volumes);
    }
}
