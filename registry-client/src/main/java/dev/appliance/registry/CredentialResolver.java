package dev.appliance.registry;

import dev.appliance.oci.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the credentials for a registry: the explicit ones, else the first docker config
 * (credHelpers, auths, credsStore: see {@link DockerConfig}) that has an entry, else none
 * (anonymous). The containers auth.json that skopeo and podman write has the same format and is
 * consulted last.
 */
final class CredentialResolver {
  private CredentialResolver() {}

  static Optional<RegistryCredential> resolve(
      ImageReference ref, RegistryOptions options, Map<String, String> env) {
    if (options.credential() != null) {
      return Optional.of(options.credential());
    }
    for (Path config : configFiles(options, env)) {
      if (Files.isRegularFile(config)) {
        Optional<RegistryCredential> found =
            DockerConfig.read(config).credentialFor(ref.registry());
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  static List<Path> configFiles(RegistryOptions options, Map<String, String> env) {
    if (options.dockerConfig() != null) {
      return List.of(options.dockerConfig());
    }
    List<Path> files = new ArrayList<>();
    String dockerConfig = env.get("DOCKER_CONFIG");
    if (dockerConfig != null && !dockerConfig.isBlank()) {
      files.add(Path.of(dockerConfig, "config.json"));
    } else {
      files.add(Path.of(System.getProperty("user.home"), ".docker", "config.json"));
    }
    String authFile = env.get("REGISTRY_AUTH_FILE");
    if (authFile != null && !authFile.isBlank()) {
      files.add(Path.of(authFile));
    }
    String runtimeDir = env.get("XDG_RUNTIME_DIR");
    if (runtimeDir != null && !runtimeDir.isBlank()) {
      files.add(Path.of(runtimeDir, "containers", "auth.json"));
    }
    return files;
  }
}
