package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.disk.HostTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config disk, written with the real mke2fs and read back with debugfs. */
class ConfigDiskTest {
  @Test
  void aLargeParameterFileFitsOnTheConfigDisk(@TempDir Path dir) throws Exception {
    // 12 MiB of rules: more than the usual 8 MiB disk could hold.
    String line =
        "alert tcp any any -> any 80 (msg:\"generated\"; content:\"x\"; sid:1000001; rev:1;)\n";
    String rules = line.repeat((12 << 20) / line.length());
    Path disk = dir.resolve("config.img");
    ConfigDisk.write(disk, "ids", Map.of("rules", rules, "home_net", "any"), Map.of(), List.of());

    String stat =
        HostTool.run(List.of("debugfs", "-R", "stat /params/rules", disk.toString()), dir).stdout();
    assertTrue(stat.contains("Size: " + rules.getBytes(StandardCharsets.UTF_8).length), stat);
    Path copy = dir.resolve("rules.out");
    HostTool.run(List.of("debugfs", "-R", "dump /params/rules " + copy, disk.toString()), dir);
    assertEquals(rules, Files.readString(copy));
    HostTool.run(List.of("e2fsck", "-fn", disk.toString()), dir);
  }

  @Test
  void smallConfigurationsKeepTheSmallDisk() {
    assertEquals(8, ConfigDisk.sizeMiB(Map.of("home_net", "any"), Map.of("pw", new byte[16])));
    assertEquals(8 + 24, ConfigDisk.sizeMiB(Map.of("rules", "x".repeat(12 << 20)), Map.of()));
  }

  /**
   * Parameter names come from image labels and the command line: none may name a file outside the
   * disk's staging dir.
   */
  @Test
  void aParameterNameCannotWriteOutsideTheStagingDirectory(@TempDir Path dir) throws Exception {
    Path instance = Files.createDirectory(dir.resolve("instance"));
    Path disk = instance.resolve("config.img");
    Path victim = dir.resolve("pwned");
    for (String name :
        List.of(
            "../../pwned",
            dir.resolve("pwned").toString(),
            "..",
            ".",
            "a/../../../pwned",
            "x\nrm",
            "")) {
      InvalidInputException p =
          assertThrows(
              InvalidInputException.class,
              () -> ConfigDisk.write(disk, "web", Map.of(name, "owned"), Map.of(), List.of()),
              name);
      assertTrue(p.getMessage().startsWith("parameter '"), p.getMessage());
      InvalidInputException s =
          assertThrows(
              InvalidInputException.class,
              () ->
                  ConfigDisk.write(disk, "web", Map.of(), Map.of(name, new byte[] {1}), List.of()),
              name);
      assertTrue(s.getMessage().contains("not a parameter name"), s.getMessage());
    }
    assertFalse(Files.exists(victim, LinkOption.NOFOLLOW_LINKS));
    try (Stream<Path> left = Files.list(instance)) {
      assertEquals(
          List.of(),
          left.toList(),
          "the staging directory is removed, no disk is left half-written");
    }
  }
}
