package dev.appliance.registry;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.ImageReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the credentials for a registry: the explicit ones, else the first docker
 * config (auths, credsStore, credHelpers, through Jib) that has an entry, else
 * none (anonymous). The containers auth.json that skopeo and podman write has the
 * same format and is consulted last.
 */
final class CredentialResolver {
    private CredentialResolver() {}

    static Optional<Credential> resolve(ImageReference ref, RegistryOptions options, Map<String, String> env) {
        if (options.credential() != null) {
            return Optional.of(Credential.from(options.credential().username(), options.credential().password()));
        }
        List<Path> configs = configFiles(options, env).stream().filter(Files::isRegularFile).toList();
        if (configs.isEmpty()) {
            return Optional.empty(); // and Jib's classes stay unloaded: a pull does not need them otherwise
        }
        com.google.cloud.tools.jib.api.ImageReference jibRef = com.google.cloud.tools.jib.api.ImageReference.of(
                ref.registry(), ref.repository(), ref.tagOrDigest());
        // Jib's log lines are about which helper it tries; they never hold secrets, but they are noise here.
        CredentialRetrieverFactory factory = CredentialRetrieverFactory.forImage(jibRef, event -> {}, env);
        for (Path config : configs) {
            try {
                Optional<Credential> found = factory.dockerConfig(config).retrieve();
                if (found.isPresent()) {
                    return found;
                }
            } catch (CredentialRetrievalException e) {
                throw new ApplianceException("cannot get credentials for " + ref.registry() + " from " + config
                        + ": " + e.getMessage(), e);
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
