package dev.appliance.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the test classes that share one anonymous plain-HTTP docker-registry on 127.0.0.1. */
abstract class PlainRegistryTest {
  @TempDir static Path shared;
  static RegistryServer registry;

  @TempDir Path dir;

  @BeforeAll
  static void startRegistry() throws IOException {
    registry = RegistryServer.plain(shared.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  /** Quick retries, and no credentials from the host's docker config. */
  static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(2, Duration.ofMillis(50)))
        .withDockerConfig(Path.of("/nonexistent/config.json"));
  }

  /** {@code REGISTRY/repoAndTag} on this registry. */
  static String remote(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }
}
