package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedSecretsTest {
  @TempDir Path instance;

  private static ApplianceMetadata image(ApplianceMetadata.Param... params) {
    return new ApplianceMetadata(
        "ids",
        "1",
        List.of(),
        null,
        512,
        1,
        1L << 30,
        new ApplianceMetadata.Kernels(null, null, "/usr/bin/linux.uml"),
        "",
        List.of(params));
  }

  private static final ApplianceMetadata IDS =
      image(
          new ApplianceMetadata.Param("ids_token", null, true, "operator token", true),
          new ApplianceMetadata.Param("db_password", null, true, "the guest generates its own"),
          new ApplianceMetadata.Param("home_net", "[10.0.0.0/8]", false, ""));

  @Test
  void aMarkedSecretThatIsNotGivenIsGeneratedKeptPrivateAndReadBack() throws Exception {
    Map<String, byte[]> secrets =
        new GeneratedSecrets(instance).completeAndKeep(IDS, Map.of(), new SecureRandom());

    assertEquals(
        List.of("ids_token"), List.copyOf(secrets.keySet()), "only the secret marked generate");
    String token = new String(secrets.get("ids_token"), StandardCharsets.US_ASCII);
    assertTrue(token.matches("[A-Za-z0-9_-]{32}"), token);
    assertArrayEquals(
        secrets.get("ids_token"), new GeneratedSecrets(instance).read("ids", "ids_token"));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(instance.resolve("secrets"))));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(instance.resolve("secrets/ids_token"))));
  }

  @Test
  void eachInstanceGetsItsOwnValue() {
    byte[] one = GeneratedSecrets.generate(new SecureRandom());
    byte[] two = GeneratedSecrets.generate(new SecureRandom());
    assertNotEquals(
        new String(one, StandardCharsets.US_ASCII), new String(two, StandardCharsets.US_ASCII));
  }

  @Test
  void aGivenSecretWinsAndIsNotKept() {
    byte[] given = "operator-chosen-token".getBytes(StandardCharsets.US_ASCII);
    Map<String, byte[]> secrets =
        new GeneratedSecrets(instance)
            .completeAndKeep(IDS, Map.of("ids_token", given), new SecureRandom());

    assertArrayEquals(given, secrets.get("ids_token"));
    assertFalse(Files.exists(instance.resolve("secrets")), "run keeps only what it generated");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> new GeneratedSecrets(instance).read("ids", "ids_token"));
    assertTrue(
        e.getMessage().contains("instance ids has no generated secret ids_token"), e.getMessage());
  }

  @Test
  void aSecretNameThatIsNoParameterNameIsRefusedBeforeItBecomesAPath() throws Exception {
    Files.writeString(instance.resolve("config.img"), "not a secret store");
    for (String name : List.of("../config.img", "/etc/passwd", "Ids_token", "a\nb", "")) {
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class, () -> new GeneratedSecrets(instance).read("ids", name));
      assertTrue(e.getMessage().contains("expected lowercase letters"), e.getMessage());
    }
  }

  @Test
  void aSymbolicLinkInPlaceOfTheKeptSecretIsNotFollowed() throws Exception {
    Files.createDirectory(instance.resolve("secrets"));
    Path elsewhere = Files.writeString(instance.resolve("elsewhere"), "host file");
    Files.createSymbolicLink(instance.resolve("secrets/ids_token"), elsewhere);

    assertThrows(
        InvalidInputException.class, () -> new GeneratedSecrets(instance).read("ids", "ids_token"));
  }
}
