package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real docker-registry with {@code auth: token}: push and pull authenticate with bearer tokens.
 */
class BearerTokenTest {
  private static final String PASSWORD = "token-pw-" + System.nanoTime();

  @TempDir static Path shared;
  static TokenService tokens;
  static RegistryServer registry;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    tokens = TokenService.start(shared.resolve("tokens"), RegistryServer.USER, PASSWORD);
    registry = RegistryServer.withTokens(shared.resolve("registry"), tokens);
  }

  @AfterAll
  static void stop() {
    registry.close();
    tokens.close();
  }

  private static RegistryOptions options(RegistryCredential credential) {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(1, Duration.ZERO))
        .withDockerConfig(Path.of("/nonexistent/config.json"))
        .withCredential(credential);
  }

  @Test
  void pushAndPullWithBearerTokens() throws Exception {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    Manifest manifest =
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 70, 40_000)));
    RegistryOptions options = options(new RegistryCredential(RegistryServer.USER, PASSWORD));
    String remote = registry.host() + "/tokens/app:1";

    assertEquals(
        manifest.digest(),
        new ImagePusher(local, options, TransferListener.NONE).push("app:1", remote).digest());
    assertTrue(
        tokens.scopesRequested.contains("repository:tokens/app:pull,push"),
        tokens.scopesRequested.toString());
    PullResult pulled =
        new ImagePuller(ImageStore.open(dir.resolve("other")), options, TransferListener.NONE)
            .pull(remote);
    assertEquals(manifest.digest(), pulled.digest());
    assertTrue(
        tokens.scopesRequested.contains("repository:tokens/app:pull"),
        tokens.scopesRequested.toString());
  }

  @Test
  void wrongCredentialsGetNoToken() throws Exception {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    TestImages.image(local, "app:2", List.of(TestImages.layer(local, 71, 1_000)));
    RegistryOptions wrong = options(new RegistryCredential(RegistryServer.USER, "not-" + PASSWORD));
    ApplianceException push =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, wrong, TransferListener.NONE)
                    .push("app:2", registry.host() + "/tokens/app:2"));
    assertTrue(push.getMessage().contains("could not obtain a registry token"), push.getMessage());
    assertTrue(
        push.getMessage()
            .contains(
                registry.host()
                    + ": could not obtain a registry token: the token service "
                    + "refused the credentials (HTTP 401)"),
        push.getMessage());
    assertInstanceOf(RegistryException.UnauthorizedException.class, push.getCause());
    assertFalse(push.getMessage().contains(PASSWORD), push.getMessage());
    ApplianceException pull =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(ImageStore.open(dir.resolve("o")), wrong, TransferListener.NONE)
                    .pull(registry.host() + "/tokens/app:1"));
    assertTrue(pull.getMessage().contains("token service refused"), pull.getMessage());
    assertInstanceOf(RegistryException.UnauthorizedException.class, pull.getCause());
    assertFalse(pull.getMessage().contains(PASSWORD), pull.getMessage());
  }

  /**
   * Pushes a one-layer image {@code tag} to {@code remote}, then forgets the scopes that asked for.
   */
  private Manifest pushed(ImageStore local, String tag, String remote) throws Exception {
    Manifest manifest =
        TestImages.image(local, tag, List.of(TestImages.layer(local, tag.hashCode(), 30_000)));
    new ImagePusher(
            local,
            options(new RegistryCredential(RegistryServer.USER, PASSWORD)),
            TransferListener.NONE)
        .push(tag, registry.host() + remote);
    tokens.scopesRequested.clear();
    return manifest;
  }

  @Test
  void aMountAsksForPullOnTheSourceRepositoryAndPushOnTheTarget() throws Exception {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    Manifest manifest = pushed(local, "app:3", "/team/a:1");

    PushResult second =
        new ImagePusher(
                local,
                options(new RegistryCredential(RegistryServer.USER, PASSWORD)),
                TransferListener.NONE)
            .push("app:3", registry.host() + "/team/b:1");

    assertEquals(manifest.digest(), second.digest());
    assertEquals(0, second.bytesSent(), "mounted, not sent");
    assertTrue(
        tokens.scopesRequested.contains("repository:team/b:pull,push"),
        tokens.scopesRequested.toString());
    assertTrue(
        tokens.scopesRequested.contains("repository:team/a:pull"),
        tokens.scopesRequested.toString());
    assertFalse(
        tokens.scopesRequested.contains("repository:team/a:pull,push"),
        "never more than pull on the source");
  }

  @Test
  void aPullAsksForPullOnly() throws Exception {
    Manifest manifest = pushed(ImageStore.open(dir.resolve("local")), "app:4", "/team/c:1");

    PullResult pulled =
        new ImagePuller(
                ImageStore.open(dir.resolve("o")),
                options(new RegistryCredential(RegistryServer.USER, PASSWORD)),
                TransferListener.NONE)
            .pull(registry.host() + "/team/c:1");

    assertEquals(manifest.digest(), pulled.digest());
    assertEquals(
        List.of("repository:team/c:pull"), tokens.scopesRequested.stream().distinct().toList());
  }
}
