package dev.appliance.signing.policy;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the policy is, in the order skopeo and podman look: an explicit {@code --policy}, then
 * {@code $XDG_CONFIG_HOME/containers/policy.json} (default {@code ~/.config}), then {@code
 * /etc/containers/policy.json}.
 *
 * @param environment the process environment (XDG_CONFIG_HOME, HOME)
 * @param systemPolicy {@code /etc/containers/policy.json}, replaceable in tests
 */
public record PolicyFiles(Map<String, String> environment, Path systemPolicy) {
  public static final Path SYSTEM_POLICY = Path.of("/etc/containers/policy.json");

  public PolicyFiles {
    environment = Map.copyOf(environment);
  }

  public static PolicyFiles standard() {
    return new PolicyFiles(System.getenv(), SYSTEM_POLICY);
  }

  /**
   * The policy file to use; empty when there is none (the caller warns that images are unverified).
   */
  public Optional<Path> locate(Path explicit) {
    if (explicit != null) {
      if (!Files.isRegularFile(explicit)) {
        throw new InvalidInputException("policy file " + explicit + ": no such file");
      }
      return Optional.of(explicit);
    }
    return Optional.ofNullable(userPolicy())
        .filter(Files::isRegularFile)
        .or(() -> Optional.of(systemPolicy).filter(Files::isRegularFile));
  }

  /** Where the user's policy would be, or null without XDG_CONFIG_HOME and HOME. */
  private Path userPolicy() {
    String xdg = environment.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isEmpty()) {
      return Path.of(xdg, "containers", "policy.json");
    }
    String home = environment.get("HOME");
    return home == null || home.isEmpty()
        ? null
        : Path.of(home, ".config", "containers", "policy.json");
  }
}
