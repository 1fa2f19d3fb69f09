package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.TestImages;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code appliance store verify}, {@code pull} and {@code run} on a damaged store, as a user meets
 * it: a separate JVM, its own APPLIANCE_HOME, a real registry.
 */
class StoreCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private CliProcess.Run appliance(String... args) throws IOException, InterruptedException {
    return CliProcess.run(
        dir.resolve("home"),
        Map.of("DOCKER_CONFIG", dir.resolve("no-docker-config").toString()),
        "",
        args);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x40);
    }
  }

  @Test
  void verifyFindsDamagePullRepairsItAndRunRefusesADamagedImage() throws Exception {
    try (RegistryServer registry = RegistryServer.plain(dir.resolve("registry"))) {
      ImageStore source = ImageStore.open(dir.resolve("source"));
      Manifest manifest =
          TestImages.image(source, "web:1", List.of(TestImages.layer(source, 3, 200_000)));
      String remote = registry.host() + "/ops/web:1";
      new dev.appliance.registry.ImagePusher(
              source,
              dev.appliance.registry.RegistryOptions.defaults()
                  .withDockerConfig(dir.resolve("none.json")),
              dev.appliance.registry.TransferListener.NONE)
          .push("web:1", remote);

      assertEquals(0, appliance("pull", "-q", remote).exit());
      CliProcess.Run clean = appliance("store", "verify");
      assertEquals(0, clean.exit(), clean.err());
      assertTrue(clean.out().contains("store intact: 1 tags, 3 blobs"), clean.out());

      Descriptor layer = manifest.layers().get(0);
      Path blob = dir.resolve("home/data/store/blobs/sha256").resolve(layer.digest().hex());
      try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
        f.setLength(layer.size() - 1000);
      }
      CliProcess.Run truncated = appliance("store", "verify");
      assertEquals(1, truncated.exit(), truncated.err());
      assertTrue(
          truncated
              .out()
              .contains(
                  layer.digest()
                      + ": wrong size: "
                      + (layer.size() - 1000)
                      + " bytes instead of "
                      + layer.size()),
          truncated.out());
      assertTrue(truncated.out().contains("needed by: " + remote), truncated.out());
      assertTrue(truncated.out().contains("appliance pull " + remote), truncated.out());

      assertEquals(
          0, appliance("pull", "-q", remote).exit(), "the pull fetches the damaged blob again");
      assertEquals(0, appliance("store", "verify", "-q").exit());

      flipByte(blob, layer.size() / 2); // same size, other content
      CliProcess.Run run = appliance("run", "-d", "--name", "damaged", remote);
      assertEquals(1, run.exit(), run.err());
      assertTrue(
          run.err()
              .matches(
                  "(?s).*ops/web:1 \\(sha256:\\p{XDigit}{64}\\) layer 1 "
                      + layer.digest()
                      + ": .*"),
          run.err());
      assertTrue(
          run.err().contains("blob " + layer.digest() + " in the local store is damaged"),
          run.err());
      assertTrue(run.err().contains("appliance pull"), run.err());
      try (Stream<Path> disks =
          Files.list(Files.createDirectories(dir.resolve("home/data/cache/disks")))) {
        assertEquals(
            List.of(),
            disks.filter(p -> p.toString().endsWith(".ext4")).toList(),
            "no disk was assembled");
      }

      // The run set the damaged blob aside: verify names it missing, and a pull restores it.
      CliProcess.Run json = appliance("store", "verify", "--json", "-q");
      assertEquals(1, json.exit(), json.err());
      JsonNode report = JSON.readTree(json.out());
      assertFalse(report.path("clean").asBoolean());
      assertEquals("MISSING", report.path("problems").get(0).path("damage").asText());
      assertEquals(remote, report.path("problems").get(0).path("neededBy").get(0).asText());
      assertEquals(0, appliance("pull", "-q", remote).exit());
      assertEquals(0, appliance("store", "verify", "-q").exit());
    }
  }

  @Test
  void repairSetsDamagedBlobsAsideAndSaysSo() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("home/data/store"));
    Manifest manifest =
        TestImages.image(store, "local:1", List.of(TestImages.layer(store, 4, 10_000)));
    Path blob = store.blobPath(manifest.layers().get(0).digest());
    flipByte(blob, 10);
    CliProcess.Run verify = appliance("store", "verify");
    assertEquals(1, verify.exit(), verify.err());
    assertTrue(
        verify
            .out()
            .contains(
                "to fix: 'appliance store verify --repair' sets it aside, then: rebuild local:1"),
        verify.out());
    assertTrue(Files.exists(blob), "verify alone changes nothing");
    CliProcess.Run repair = appliance("store", "verify", "--repair", "--json");
    assertEquals(1, repair.exit(), repair.err());
    JsonNode problem = JSON.readTree(repair.out()).path("problems").get(0);
    assertEquals("WRONG_DIGEST", problem.path("damage").asText());
    assertTrue(problem.path("setAside").asBoolean());
    assertTrue(problem.path("advice").asText().contains("rebuild local:1"), problem.toString());
    assertFalse(Files.exists(blob));
    assertEquals(2, appliance("store").exit(), "a group without a subcommand is a usage error");
  }
}
