package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real docker-registry with TLS from a test CA and htpasswd basic authentication. */
class SecureRegistryTest {
  private static final String PASSWORD = "s3cret-" + System.nanoTime();
  private static final RegistryCredential GOOD =
      new RegistryCredential(RegistryServer.USER, PASSWORD);

  @TempDir static Path shared;
  static TestCa ca;
  static RegistryServer registry;
  static ImageStore local;
  static Manifest manifest;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws IOException {
    ca = TestCa.create(shared.resolve("ca"));
    registry = RegistryServer.secure(shared.resolve("registry"), ca, PASSWORD);
    local = ImageStore.open(shared.resolve("store"));
    manifest = TestImages.image(local, "app:1", List.of(TestImages.layer(local, 100, 100_000)));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(1, Duration.ZERO))
        .withDockerConfig(Path.of("/nonexistent/config.json"));
  }

  private String remote(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  @Test
  void pushAndPullWithThePrivateCaAndBasicAuth() {
    RegistryOptions options = options().withCaCert(ca.caCert()).withCredential(GOOD);
    PushResult pushed =
        new ImagePusher(local, options, TransferListener.NONE).push("app:1", remote("auth/app:1"));
    assertEquals(manifest.digest(), pushed.digest());
    PullResult pulled =
        new ImagePuller(ImageStore.open(dir.resolve("s")), options, TransferListener.NONE)
            .pull(remote("auth/app:1"));
    assertEquals(manifest.digest(), pulled.digest());
  }

  @Test
  void withoutTheCaTheCertificateIsRefusedAndTheMessageSaysWhatToDo() {
    RegistryOptions options = options().withCredential(GOOD);
    ApplianceException push =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, options, TransferListener.NONE)
                    .push("app:1", remote("tls/app:1")));
    assertTrue(push.getMessage().contains("cannot verify the TLS certificate"), push.getMessage());
    assertEquals(
        RegistryAccessException.Remedy.TRUST_CA,
        assertInstanceOf(RegistryAccessException.class, push).remedy().orElseThrow(),
        push.getMessage());
    assertTrue(push.getMessage().contains("trust that CA's certificate"), push.getMessage());
    ApplianceException pull =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(ImageStore.open(dir.resolve("s")), options, TransferListener.NONE)
                    .pull(remote("tls/app:1")));
    assertTrue(pull.getMessage().contains("cannot verify the TLS certificate"), pull.getMessage());
  }

  @Test
  void insecureSkipsVerificationWhenAskedTo() {
    RegistryOptions options = options().withCredential(GOOD).withInsecure(true);
    PushResult pushed =
        new ImagePusher(local, options, TransferListener.NONE)
            .push("app:1", remote("insecure/app:1"));
    assertEquals(manifest.digest(), pushed.digest());
    assertEquals(
        manifest.digest(),
        new ImagePuller(ImageStore.open(dir.resolve("s")), options, TransferListener.NONE)
            .pull(remote("insecure/app:1"))
            .digest());
  }

  @Test
  void missingOrWrongCredentialsFailWithoutShowingThePassword() {
    RegistryOptions anonymous = options().withCaCert(ca.caCert());
    ApplianceException none =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, anonymous, TransferListener.NONE)
                    .push("app:1", remote("denied/app:1")));
    assertTrue(none.getMessage().contains("authentication"), none.getMessage());
    assertTrue(
        none.getMessage().contains("requires authentication: log in with 'docker login'"),
        none.getMessage());
    assertInstanceOf(RegistryException.UnauthorizedException.class, none.getCause());
    assertEquals(
        RegistryAccessException.Remedy.CREDENTIALS,
        assertInstanceOf(RegistryAccessException.class, none).remedy().orElseThrow(),
        "a caller can point at its credential options");

    RegistryOptions wrong =
        anonymous.withCredential(new RegistryCredential(RegistryServer.USER, "wrong-" + PASSWORD));
    ApplianceException push =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, wrong, TransferListener.NONE)
                    .push("app:1", remote("denied/app:1")));
    assertTrue(push.getMessage().contains("authentication"), push.getMessage());
    assertTrue(
        push.getMessage()
            .contains(remote("denied/app") + ": authentication failed or access denied (HTTP 401)"),
        push.getMessage());
    assertInstanceOf(RegistryException.UnauthorizedException.class, push.getCause());
    assertFalse(push.getMessage().contains(PASSWORD), push.getMessage());
    ApplianceException pull =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(ImageStore.open(dir.resolve("s")), wrong, TransferListener.NONE)
                    .pull(remote("denied/app:1")));
    assertTrue(pull.getMessage().contains("authentication"), pull.getMessage());
    assertInstanceOf(RegistryException.UnauthorizedException.class, pull.getCause());
    assertFalse(pull.getMessage().contains(PASSWORD), pull.getMessage());
    assertFalse(GOOD.toString().contains(PASSWORD));
  }

  @Test
  void credentialsComeFromTheDockerConfig() throws IOException {
    Path config = dir.resolve("docker/config.json");
    Files.createDirectories(config.getParent());
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (RegistryServer.USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        config, "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
    RegistryOptions options = options().withCaCert(ca.caCert()).withDockerConfig(config);
    assertEquals(
        manifest.digest(),
        new ImagePusher(local, options, TransferListener.NONE)
            .push("app:1", remote("config/app:1"))
            .digest());
    assertEquals(
        manifest.digest(),
        new ImagePuller(ImageStore.open(dir.resolve("s")), options, TransferListener.NONE)
            .pull(remote("config/app:1"))
            .digest());
  }

  @Test
  void plainHttpIsNotTriedForATlsRegistry() {
    // A loopback registry may speak plain HTTP, but one that speaks TLS must verify.
    RegistryOptions options = options().withCredential(GOOD);
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(ImageStore.open(dir.resolve("s")), options, TransferListener.NONE)
                    .pull(remote("x/app:1")));
    assertFalse(e.getMessage().contains("HTTP 400"), e.getMessage());
  }
}
