package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code appliance volume} as a user runs it. Volumes attached to instances (and refused removals)
 * are the runtime's VolumeLifecycleTest, with real instances; here the volumes are laid out as
 * docs/operations.md documents them ({@code data/volumes/NAME/disk.ext4}, sparse), as left behind
 * by rm.
 */
class VolumeCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private void leftBehind(String name) throws IOException {
    Path dir = Files.createDirectories(home.resolve("data/volumes").resolve(name));
    try (RandomAccessFile disk = new RandomAccessFile(dir.resolve("disk.ext4").toFile(), "rw")) {
      disk.setLength(16L << 30);
      disk.write(new byte[64 << 10]); // what a guest wrote
    }
    Files.writeString(dir.resolve("uuid"), "0b5e3c1c-5a8e-4b39-9a43-2f0f4f6c9d11\n");
  }

  @Test
  void listsRemovesAndPrunesUnusedVolumes() throws Exception {
    leftBehind("old-data");
    leftBehind("db");
    leftBehind("cache");

    CliProcess.Run ls = CliProcess.run(home, "volume", "ls", "--json");
    assertEquals(0, ls.exit(), ls.err());
    JsonNode volumes = JSON.readTree(ls.out());
    assertEquals(3, volumes.size());
    JsonNode cache = volumes.get(0);
    assertEquals("cache", cache.get("name").asText());
    assertEquals(16L << 30, cache.get("capacityBytes").asLong());
    long onDisk = cache.get("bytesOnDisk").asLong();
    assertTrue(
        onDisk >= 64 << 10 && onDisk < 1 << 20, "space taken, not the sparse size: " + onDisk);
    assertEquals(0, cache.get("instances").size());
    CliProcess.Run table = CliProcess.run(home, "volume", "ls");
    assertTrue(
        table.out().lines().anyMatch(l -> l.matches("old-data +\\d+ kB +17 GB +-")), table.out());

    CliProcess.Run rm = CliProcess.run(home, "volume", "rm", "db");
    assertEquals(0, rm.exit(), rm.err());
    assertEquals("db\n", rm.out());
    assertFalse(Files.exists(home.resolve("data/volumes/db")));

    CliProcess.Run prune = CliProcess.run(home, "volume", "prune");
    assertEquals(0, prune.exit(), prune.err());
    assertEquals("cache\nold-data\n", prune.out());
    assertTrue(prune.err().contains("removed 2 volumes, freed "), prune.err());
    assertEquals("NAME", CliProcess.run(home, "volume", "ls").out().split(" ")[0]);
    assertEquals(0, JSON.readTree(CliProcess.run(home, "volume", "ls", "--json").out()).size());
  }

  @Test
  void anUnknownVolumeOrAMissingSubcommandIsInvalidInput() throws Exception {
    leftBehind("kept");
    CliProcess.Run rm = CliProcess.run(home, "volume", "rm", "kept", "no-such-volume");
    assertEquals(2, rm.exit());
    assertTrue(
        rm.err().contains("no volume named no-such-volume (see appliance volume ls)"), rm.err());
    assertTrue(
        Files.exists(home.resolve("data/volumes/kept/disk.ext4")),
        "nothing removed when one name is wrong");
    CliProcess.Run bare = CliProcess.run(home, "volume");
    assertEquals(2, bare.exit());
    assertTrue(bare.err().contains("ls, rm, prune, backup or restore"), bare.err());
  }
}
