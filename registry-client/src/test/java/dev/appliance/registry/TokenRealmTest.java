package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.store.ImageStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real docker-registry reached over verified TLS whose bearer challenge names a token service on
 * plain http: the credentials would cross the network in clear text, so neither pull nor push sends
 * them there.
 */
class TokenRealmTest {
  private static final String PASSWORD = "realm-pw-" + System.nanoTime();

  @TempDir static Path shared;
  static TokenService tokens;
  static RegistryServer registry;
  static TestCa ca;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCa.create(shared.resolve("ca"));
    tokens = TokenService.start(shared.resolve("tokens"), RegistryServer.USER, PASSWORD);
    registry = RegistryServer.secureWithTokens(shared.resolve("registry"), ca, tokens);
  }

  @AfterAll
  static void stop() {
    registry.close();
    tokens.close();
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(1, Duration.ZERO))
        .withCaCert(ca.caCert())
        .withDockerConfig(Path.of("/nonexistent/config.json"))
        .withCredential(new RegistryCredential(RegistryServer.USER, PASSWORD));
  }

  @Test
  void aPullRefusesAnHttpTokenRealmFromAnHttpsRegistry() {
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(ImageStore.open(dir.resolve("s")), options(), TransferListener.NONE)
                    .pull(registry.host() + "/ops/app:1"));
    assertTrue(
        e.getMessage()
            .contains("is reached over HTTPS but names the token service http://127.0.0.1:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("only over HTTPS"), e.getMessage());
    assertEquals(List.of(), tokens.scopesRequested, "the token service was never asked");
    assertFalse(e.getMessage().contains(PASSWORD));
  }

  @Test
  void aPushSendsNoCredentialsToAnHttpTokenRealmEither() throws Exception {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    TestImages.image(local, "app:1", List.of(TestImages.layer(local, 5, 1_000)));
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, options(), TransferListener.NONE)
                    .push("app:1", registry.host() + "/ops/app:1"));
    assertEquals(
        List.of(), tokens.scopesRequested, "the token service was never asked: " + e.getMessage());
    // Push and pull share one auth flow: the same refusal, naming the realm.
    assertTrue(
        e.getMessage()
            .contains("is reached over HTTPS but names the token service http://127.0.0.1:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("only over HTTPS"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD));
  }
}
