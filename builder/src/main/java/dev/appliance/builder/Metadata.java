package dev.appliance.builder;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.recipe.Recipe;
import java.util.List;

/** The runtime's view of a recipe: {@link ApplianceMetadata} for the image config labels. */
final class Metadata {
  private static final long DEFAULT_MEMORY_MIB = 512;
  private static final long DEFAULT_DISK_BYTES = 2L << 30;

  private Metadata() {}

  static ApplianceMetadata of(Recipe r, ApplianceMetadata.Kernels kernels) {
    List<ApplianceMetadata.Port> ports =
        r.ports().stream()
            .map(p -> new ApplianceMetadata.Port(p.name(), p.port(), p.protocol()))
            .toList();
    Recipe.HealthCheck h = r.health();
    ApplianceMetadata.HealthCheck health =
        h == null
            ? null
            : new ApplianceMetadata.HealthCheck(
                h.type(), h.port(), h.path(), h.status(), h.timeoutSeconds());
    Recipe.Resources res = r.resources();
    List<ApplianceMetadata.Param> params =
        r.params().stream()
            .map(
                p ->
                    new ApplianceMetadata.Param(
                        p.name(),
                        p.secret() ? null : p.defaultValue(),
                        p.secret(),
                        p.description(),
                        p.generate()))
            .toList();
    return new ApplianceMetadata(
        r.name(),
        r.version(),
        ports,
        health,
        res == null ? DEFAULT_MEMORY_MIB : res.memoryMiB(),
        res == null ? 1 : res.cpus(),
        res == null ? DEFAULT_DISK_BYTES : res.diskBytes(),
        kernels,
        "",
        params,
        r.networks().stream().map(n -> new ApplianceMetadata.Network(n.name(), n.role())).toList());
  }
}
