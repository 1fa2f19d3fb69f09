package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.TestCa;
import dev.appliance.registry.TestImages;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry commands as a user runs them: a separate JVM, its own APPLIANCE_HOME, a real
 * registry.
 */
class RegistryCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private CliProcess.Run appliance(Path home, String stdin, String... args)
      throws IOException, InterruptedException {
    // No credentials from the host's docker config.
    return CliProcess.run(
        home, Map.of("DOCKER_CONFIG", dir.resolve("no-docker-config").toString()), stdin, args);
  }

  private final String password = "pw-" + System.nanoTime();

  /**
   * A TLS registry with basic auth, and an APPLIANCE_HOME at {@code dir/home} whose store holds
   * {@code tag}.
   */
  private record Setup(TestCa ca, RegistryServer registry, Path home, Manifest manifest)
      implements AutoCloseable {
    @Override
    public void close() {
      registry.close();
    }
  }

  private Setup setUp(String tag) throws IOException {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    RegistryServer registry = RegistryServer.secure(dir.resolve("registry"), ca, password);
    Path home = dir.resolve("home");
    ImageStore store = ImageStore.open(home.resolve("data/store"));
    Manifest manifest =
        TestImages.image(store, tag, List.of(TestImages.layer(store, tag.hashCode(), 50_000)));
    return new Setup(ca, registry, home, manifest);
  }

  @Test
  void pushPullImagesRmiAndGcThroughAnAuthenticatedTlsRegistry() throws Exception {
    try (Setup setup = setUp("lamp:1.0.0")) {
      TestCa ca = setup.ca();
      Path home = setup.home();
      Manifest manifest = setup.manifest();
      String remote = setup.registry().host() + "/ops/lamp:1.0.0";

      CliProcess.Run push =
          appliance(
              home,
              password + "\n",
              "push",
              "lamp:1.0.0",
              remote,
              "--ca-cert",
              ca.caCert().toString(),
              "--username",
              RegistryServer.USER,
              "--password-stdin",
              "--json");
      assertEquals(0, push.exit(), push.err());
      JsonNode pushed = JSON.readTree(push.out());
      assertEquals(manifest.digest().toString(), pushed.path("digest").asText());
      assertEquals(2, pushed.path("blobsSent").asInt());
      assertFalse(push.err().contains(password) || push.out().contains(password));
      // Not a terminal: plain stage lines, no escape sequences.
      assertTrue(push.err().contains("pushing "), push.err());
      assertFalse(push.err().contains("\u001b["), push.err());

      Path other = dir.resolve("other");
      CliProcess.Run pull =
          appliance(
              other,
              password + "\n",
              "pull",
              remote,
              "--ca-cert",
              ca.caCert().toString(),
              "--username",
              RegistryServer.USER,
              "--password-stdin");
      assertEquals(0, pull.exit(), pull.err());
      assertEquals(manifest.digest().toString(), pull.out().strip());

      CliProcess.Run images = appliance(other, "", "images", "--json");
      assertEquals(0, images.exit(), images.err());
      JsonNode list = JSON.readTree(images.out());
      assertEquals(remote, list.get(0).path("name").asText());
      assertEquals(manifest.digest().toString(), list.get(0).path("digest").asText());

      CliProcess.Run table = appliance(other, "", "images");
      assertTrue(table.out().contains(manifest.digest().hex().substring(0, 12)), table.out());

      CliProcess.Run rmi = appliance(other, "", "rmi", remote);
      assertEquals(0, rmi.exit(), rmi.err());
      CliProcess.Run gc = appliance(other, "", "gc", "--json");
      assertEquals(0, gc.exit(), gc.err());
      assertEquals(3, JSON.readTree(gc.out()).path("blobsRemoved").asInt());

      CliProcess.Run missing = appliance(other, "", "rmi", remote);
      assertEquals(2, missing.exit());
      assertTrue(missing.err().contains("not in the local store"), missing.err());
    }
  }

  @Test
  void credentialsComeFromADockerCredentialHelper() throws Exception {
    try (Setup setup = setUp("app:1")) {
      // A credential helper speaks the docker-credential protocol: "get", server on stdin, JSON on
      // stdout.
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path helper = bin.resolve("docker-credential-appliancetest");
      Path secret = dir.resolve("helper-secret");
      Files.writeString(secret, password);
      Files.writeString(
          helper,
          "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n"
              + "printf '{\"ServerURL\":\"%s\",\"Username\":\""
              + RegistryServer.USER
              + "\",\"Secret\":\"%s\"}' "
              + "\"$server\" \"$(cat "
              + secret
              + ")\"\n");
      Files.setPosixFilePermissions(
          helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      Path config = Files.createDirectories(dir.resolve("docker"));
      Files.writeString(
          config.resolve("config.json"),
          "{\"credHelpers\":{\"" + setup.registry().host() + "\":\"appliancetest\"}}");

      CliProcess.Run push =
          CliProcess.run(
              setup.home(),
              Map.of("DOCKER_CONFIG", config.toString(), "PATH", bin + ":" + System.getenv("PATH")),
              "",
              "push",
              "app:1",
              setup.registry().host() + "/helper/app:1",
              "--ca-cert",
              setup.ca().caCert().toString());
      assertEquals(0, push.exit(), push.err());
      assertEquals(setup.manifest().digest().toString(), push.out().strip());
    }
  }

  @Test
  void badCredentialsAndUsageErrorsHaveTheirExitCodes() throws Exception {
    try (Setup setup = setUp("app:1")) {
      TestCa ca = setup.ca();
      Path home = setup.home();
      String remote = setup.registry().host() + "/ops/app:1";

      CliProcess.Run wrong =
          appliance(
              home,
              "not-" + password + "\n",
              "push",
              "app:1",
              remote,
              "--ca-cert",
              ca.caCert().toString(),
              "--username",
              RegistryServer.USER,
              "--password-stdin");
      assertEquals(1, wrong.exit(), wrong.err());
      assertTrue(wrong.err().contains("authentication"), wrong.err());
      assertTrue(wrong.err().contains("(options --username and --password-stdin)"), wrong.err());
      assertFalse(wrong.err().contains(password));

      CliProcess.Run noCa = appliance(home, "", "pull", remote);
      assertEquals(1, noCa.exit());
      assertTrue(noCa.err().contains("(options --ca-cert FILE, or --insecure)"), noCa.err());

      CliProcess.Run usernameOnly = appliance(home, "", "push", "app:1", remote, "--username", "x");
      assertEquals(2, usernameOnly.exit());
      assertTrue(usernameOnly.err().contains("--password-stdin"), usernameOnly.err());

      CliProcess.Run noRegistry = appliance(home, "", "push", "app:1", "ops/app:1");
      assertEquals(2, noRegistry.exit());
      assertTrue(noRegistry.err().contains("names no registry"), noRegistry.err());
    }
  }
}
