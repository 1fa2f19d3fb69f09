package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one auth flow against real docker-registries: bearer tokens for exactly the
 * scopes a call needs (a mount's source repository included), and Basic; refused
 * credentials are an {@link RegistryException.UnauthorizedException} with a clear message.
 */
class RegistryAuthTest {
    private static final String PASSWORD = "auth-pw-" + System.nanoTime();

    @TempDir
    static Path shared;
    static TokenService tokens;
    static RegistryServer bearer;
    static TestCa ca;
    static RegistryServer basic;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        tokens = TokenService.start(shared.resolve("tokens"), RegistryServer.USER, PASSWORD);
        bearer = RegistryServer.withTokens(shared.resolve("bearer"), tokens);
        ca = TestCa.create(shared.resolve("ca"));
        basic = RegistryServer.secure(shared.resolve("basic"), ca, PASSWORD);
    }

    @AfterAll
    static void stop() {
        bearer.close();
        basic.close();
        tokens.close();
    }

    private static RegistryOptions options(String password) {
        return RegistryOptions.defaults().withRetry(new RetryPolicy(1, Duration.ZERO)).withCaCert(ca.caCert())
                .withDockerConfig(Path.of("/nonexistent/config.json"))
                .withCredential(new RegistryCredential(RegistryServer.USER, password));
    }

    @Test
    void aMountAsksForPullOnTheSourceRepositoryAndPushOnTheTarget() throws Exception {
        ImageStore local = ImageStore.open(dir.resolve("local"));
        Manifest manifest = TestImages.image(local, "app:1", List.of(TestImages.layer(local, 30, 30_000)));
        new ImagePusher(local, options(PASSWORD), TransferListener.NONE).push("app:1", bearer.host() + "/team/a:1");
        tokens.scopesRequested.clear();

        PushResult second = new ImagePusher(local, options(PASSWORD), TransferListener.NONE).push("app:1", bearer.host() + "/team/b:1");

        assertEquals(manifest.digest(), second.digest());
        assertEquals(0, second.bytesSent(), "mounted, not sent");
        assertTrue(tokens.scopesRequested.contains("repository:team/b:pull,push"), tokens.scopesRequested.toString());
        assertTrue(tokens.scopesRequested.contains("repository:team/a:pull"), tokens.scopesRequested.toString());
        assertFalse(tokens.scopesRequested.contains("repository:team/a:pull,push"), "never more than pull on the source");
    }

    @Test
    void aPullAsksForPullOnly() throws Exception {
        ImageStore local = ImageStore.open(dir.resolve("local"));
        Manifest manifest = TestImages.image(local, "app:1", List.of(TestImages.layer(local, 31, 1_000)));
        new ImagePusher(local, options(PASSWORD), TransferListener.NONE).push("app:1", bearer.host() + "/team/c:1");
        tokens.scopesRequested.clear();

        PullResult pulled = new ImagePuller(ImageStore.open(dir.resolve("o")), options(PASSWORD), TransferListener.NONE)
                .pull(bearer.host() + "/team/c:1");

        assertEquals(manifest.digest(), pulled.digest());
        assertEquals(List.of("repository:team/c:pull"), List.copyOf(new java.util.LinkedHashSet<>(tokens.scopesRequested)));
    }

    @Test
    void aWrongPasswordForTheTokenServiceIsUnauthorized() throws Exception {
        ImageStore local = ImageStore.open(dir.resolve("local"));
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 32, 1_000)));
        ApplianceException e = assertThrows(ApplianceException.class, () -> new ImagePusher(local,
                options("wrong-" + PASSWORD), TransferListener.NONE).push("app:1", bearer.host() + "/team/d:1"));
        assertInstanceOf(RegistryException.UnauthorizedException.class, e.getCause(), String.valueOf(e.getCause()));
        assertTrue(e.getMessage().contains(bearer.host() + ": could not obtain a registry token: the token service "
                + "refused the credentials (HTTP 401)"), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }

    @Test
    void basicCredentialsPushAndPull() throws Exception {
        ImageStore local = ImageStore.open(dir.resolve("local"));
        Manifest manifest = TestImages.image(local, "app:1", List.of(TestImages.layer(local, 33, 20_000)));
        assertEquals(manifest.digest(), new ImagePusher(local, options(PASSWORD), TransferListener.NONE)
                .push("app:1", basic.host() + "/team/e:1").digest());
        assertEquals(manifest.digest(), new ImagePuller(ImageStore.open(dir.resolve("o")), options(PASSWORD),
                TransferListener.NONE).pull(basic.host() + "/team/e:1").digest());
    }

    @Test
    void aWrongBasicPasswordIsUnauthorizedAndNamesTheRegistry() throws Exception {
        ImageStore local = ImageStore.open(dir.resolve("local"));
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 34, 1_000)));
        ApplianceException e = assertThrows(ApplianceException.class, () -> new ImagePusher(local,
                options("wrong-" + PASSWORD), TransferListener.NONE).push("app:1", basic.host() + "/team/f:1"));
        assertInstanceOf(RegistryException.UnauthorizedException.class, e.getCause(), String.valueOf(e.getCause()));
        assertTrue(e.getMessage().contains(basic.host() + "/team/f: authentication failed or access denied (HTTP 401)"),
                e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }

    @Test
    void noCredentialsForABasicRegistrySaysHowToLogIn() {
        RegistryOptions anonymous = RegistryOptions.defaults().withRetry(new RetryPolicy(1, Duration.ZERO))
                .withCaCert(ca.caCert()).withDockerConfig(Path.of("/nonexistent/config.json"));
        ApplianceException e = assertThrows(ApplianceException.class, () -> new ImagePuller(
                ImageStore.open(dir.resolve("o")), anonymous, TransferListener.NONE).pull(basic.host() + "/team/e:1"));
        assertInstanceOf(RegistryException.UnauthorizedException.class, e.getCause(), String.valueOf(e.getCause()));
        assertTrue(e.getMessage().contains("requires authentication: log in with 'docker login'"), e.getMessage());
    }
}
