package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.oci.Digest;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.instance.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code volume backup} and {@code volume restore} of the packaged CLI against a real
 * docker-registry, checked with skopeo as an independent client: a backup killed with SIGKILL
 * midway leaves the tag on the previous backup, a re-run completes sending only what is missing,
 * and a restore in a fresh APPLIANCE_HOME gives the same disk.
 */
@EndToEnd
class VolumeBackupE2eTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void killedBackupKeepsTheOldTagAndARerunAndRestoreComplete() throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("volume-backup");
    Path dir = E2eEnvironment.freshDirectory("volume-backup-registry");
    try (LocalRegistry registry = LocalRegistry.builder(dir).start()) {
      String ref = registry.address() + "/backups/data:nightly";
      VolumeStore volumes = new VolumeStore(cli.dirs());
      volumes.ensure("data", "256M");
      Path disk = volumes.disk("data");
      write(disk, "/first", random(16 << 20, 1), dir);

      JsonNode first = json(cli.run("volume", "backup", "data", ref, "--json").assertSuccess());
      String oldDigest = first.get("digest").asText();
      assertEquals(oldDigest, skopeoDigest(ref));

      // 96 MiB of incompressible data: the second backup takes long enough to be killed midway.
      write(disk, "/second", random(96 << 20, 2), dir);
      long blobsBefore = blobCount(registry);
      try (ApplianceCli.Background backup =
          cli.start("volume", "backup", "data", ref, "--chunk-size", "1M")) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (blobCount(registry) < blobsBefore + 5 && backup.isAlive()) {
          assertTrue(Instant.now().isBefore(deadline), "no chunk uploaded within 3 minutes");
          Thread.sleep(50);
        }
        assertTrue(backup.isAlive(), "the backup ended before it could be killed");
        HostTool.run(List.of("kill", "-9", Long.toString(backup.pid())), dir);
        assertEquals(137, backup.waitFor(Duration.ofSeconds(30)).exitCode());
      }
      assertEquals(oldDigest, skopeoDigest(ref), "the tag still names the previous backup");

      JsonNode rerun =
          json(
              cli.run("volume", "backup", "data", ref, "--chunk-size", "1M", "--json")
                  .assertSuccess());
      assertNotEquals(oldDigest, rerun.get("digest").asText());
      assertEquals(rerun.get("digest").asText(), skopeoDigest(ref));
      assertTrue(
          rerun.get("chunksSkipped").asInt() >= 5,
          "the re-run skips the chunks the killed run had sent: " + rerun);

      ApplianceCli fresh = ApplianceCli.forTest("volume-restore");
      CliResult restored = fresh.run("volume", "restore", ref, "data").assertSuccess();
      assertEquals("data", restored.stdout().strip());
      Path copy = new VolumeStore(fresh.dirs()).disk("data");
      assertArrayEquals(sha256(disk), sha256(copy), "the restored disk is the backed-up disk");

      CliResult again = fresh.run("volume", "restore", ref, "data").assertExit(2);
      assertTrue(again.stderr().contains("--force"), again.stderr());
    }
  }

  private static JsonNode json(CliResult result) throws IOException {
    return JSON.readTree(result.stdout());
  }

  /** The digest the registry serves for REF, through skopeo (not appliance's client). */
  private static String skopeoDigest(String ref) {
    String raw =
        HostTool.run(
                List.of("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref),
                Path.of("."))
            .stdout();
    return Digest.sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  private static long blobCount(LocalRegistry registry) throws IOException {
    Path blobs = registry.storage().resolve("docker/registry/v2/blobs/sha256");
    if (!Files.isDirectory(blobs)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(blobs)) {
      return files.filter(p -> p.getFileName().toString().equals("data")).count();
    }
  }

  private static void write(Path disk, String path, byte[] content, Path dir) throws IOException {
    Path source = Files.createTempFile(dir, "content", "");
    Files.write(source, content);
    HostTool.run(
        List.of("debugfs", "-w", "-R", "write " + source + " " + path, disk.toString()), dir);
    Files.delete(source);
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(Path file) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    }
    return sha.digest();
  }
}
