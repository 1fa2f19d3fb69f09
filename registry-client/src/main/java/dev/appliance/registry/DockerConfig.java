package dev.appliance.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The credentials a docker config.json (or containers auth.json, same format) holds for a registry,
 * as docker looks them up: a helper named for the registry in {@code credHelpers}, else the {@code
 * auth} of its {@code auths} entry, else the {@code credsStore} helper. Entries are keyed by host;
 * a key may carry a scheme and a path ({@code https://index.docker.io/v1/}).
 */
final class DockerConfig {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BYTES = 4 << 20;
  private static final Set<String> DOCKER_HUB =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

  private final Path file;
  private final JsonNode root;

  private DockerConfig(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  static DockerConfig read(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > MAX_BYTES) {
        throw new InvalidInputException(
            file + ": larger than " + MAX_BYTES + " bytes; not a docker config");
      }
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new InvalidInputException(file + ": not a JSON object");
      }
      return new DockerConfig(file, root);
    } catch (IOException e) {
      throw new InvalidInputException(
          file + ": cannot read the docker config: " + e.getMessage(), e);
    }
  }

  /**
   * The credentials for {@code registry} (as named in an image reference), if this file has any.
   */
  Optional<RegistryCredential> credentialFor(String registry) {
    Optional<Map.Entry<String, JsonNode>> helper = entryFor(root.path("credHelpers"), registry);
    if (helper.isPresent()) {
      return new CredentialHelper(helper.get().getValue().asText(null), file)
          .get(helper.get().getKey());
    }
    Optional<Map.Entry<String, JsonNode>> auth = entryFor(root.path("auths"), registry);
    if (auth.isPresent() && !auth.get().getValue().path("auth").asText("").isEmpty()) {
      return Optional.of(decode(auth.get().getKey(), auth.get().getValue().path("auth").asText()));
    }
    String store = root.path("credsStore").asText("");
    if (!store.isEmpty()) {
      String server =
          auth.map(Map.Entry::getKey)
              .orElse(DOCKER_HUB.contains(registry) ? "https://index.docker.io/v1/" : registry);
      return new CredentialHelper(store, file).get(server);
    }
    return Optional.empty();
  }

  /** The entry of {@code section} whose key names {@code registry}'s host. */
  private static Optional<Map.Entry<String, JsonNode>> entryFor(JsonNode section, String registry) {
    String wanted = hostOf(registry);
    for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = hostOf(entry.getKey());
      if (key.equals(wanted) || (DOCKER_HUB.contains(key) && DOCKER_HUB.contains(wanted))) {
        return Optional.of(entry);
      }
    }
    return Optional.empty();
  }

  /** {@code https://Host:5000/v2/} and {@code host:5000} both name {@code host:5000}. */
  static String hostOf(String key) {
    String host = key.strip().replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "");
    int slash = host.indexOf('/');
    return (slash < 0 ? host : host.substring(0, slash)).toLowerCase(Locale.ROOT);
  }

  private RegistryCredential decode(String key, String auth) {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          file + ": auths entry '" + key + "' has an auth value that is not base64");
    }
    int colon = pair.indexOf(':');
    if (colon <= 0) {
      throw new InvalidInputException(
          file + ": auths entry '" + key + "' is not USER:PASSWORD in base64");
    }
    return new RegistryCredential(pair.substring(0, colon), pair.substring(colon + 1));
  }
}
