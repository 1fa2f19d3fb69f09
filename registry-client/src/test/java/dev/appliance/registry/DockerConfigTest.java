package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials from docker config files, keyed by host as docker writes them. The credential-helper
 * protocol itself runs end to end in cli RegistryCommandsTest (a helper on the child process's
 * PATH).
 */
class DockerConfigTest {
  @TempDir Path dir;

  private Path config(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private static String auth(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void authsEntriesAreFoundByHostWhateverSchemeOrPathTheKeyHas() throws IOException {
    Path file =
        config(
            "{\"auths\":{\"https://Registry.Example:5000/v2/\":{\"auth\":\""
                + auth("ops", "s3cret:x")
                + "\"},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\""
                + auth("hub", "pw")
                + "\"}}}");
    DockerConfig config = DockerConfig.read(file);
    assertEquals(
        Optional.of(new RegistryCredential("ops", "s3cret:x")),
        config.credentialFor("registry.example:5000"));
    assertEquals(
        Optional.of(new RegistryCredential("hub", "pw")), config.credentialFor("docker.io"));
    assertEquals(
        Optional.empty(),
        config.credentialFor("registry.example"),
        "another port is another registry");
    assertEquals(Optional.empty(), config.credentialFor("other.example"));
  }

  @Test
  void theExplicitCredentialWinsAndTheFirstConfigWithAnEntryIsUsed() throws IOException {
    Path docker = Files.createDirectories(dir.resolve("docker"));
    Files.writeString(docker.resolve("config.json"), "{\"auths\":{}}");
    Path auth =
        Files.writeString(
            dir.resolve("auth.json"),
            "{\"auths\":{\"registry.example\":{\"auth\":\"" + auth("podman", "pw") + "\"}}}");
    ImageReference ref = ImageReference.parse("registry.example/ops/app:1");
    Map<String, String> env =
        Map.of("DOCKER_CONFIG", docker.toString(), "REGISTRY_AUTH_FILE", auth.toString());
    assertEquals(
        Optional.of(new RegistryCredential("podman", "pw")),
        CredentialResolver.resolve(ref, RegistryOptions.defaults(), env));
    RegistryCredential given = new RegistryCredential("me", "mine");
    assertEquals(
        Optional.of(given),
        CredentialResolver.resolve(ref, RegistryOptions.defaults().withCredential(given), env));
  }

  @Test
  void aHelperNameThatIsNotAPlainNameIsRefusedBeforeAnythingRuns() throws IOException {
    Path file =
        config(
            "{\"credHelpers\":{\"registry.example\":\"x; touch " + dir.resolve("pwned") + "\"}}");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> DockerConfig.read(file).credentialFor("registry.example"));
    assertTrue(e.getMessage().contains(file + ": credential helper name"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("pwned")));
  }

  @Test
  void aBrokenConfigNamesTheFile() throws IOException {
    Path file = config("{\"auths\":{\"registry.example\":{\"auth\":\"not base64!\"}}}");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> DockerConfig.read(file).credentialFor("registry.example"));
    assertTrue(
        e.getMessage().startsWith(file + ": auths entry 'registry.example'"), e.getMessage());
    Path notJson = config("[1,");
    assertTrue(
        assertThrows(InvalidInputException.class, () -> DockerConfig.read(notJson))
            .getMessage()
            .startsWith(notJson.toString()));
  }
}
