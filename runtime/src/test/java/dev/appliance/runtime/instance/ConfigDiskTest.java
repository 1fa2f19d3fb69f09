package dev.appliance.runtime.instance;

import dev.appliance.runtime.disk.HostTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config disk, written with the real mke2fs and read back with debugfs. */
class ConfigDiskTest {
    @Test
    void aLargeParameterFileFitsOnTheConfigDisk(@TempDir Path dir) throws Exception {
        // 12 MiB of rules: more than the usual 8 MiB disk could hold.
        String line = "alert tcp any any -> any 80 (msg:\"generated\"; content:\"x\"; sid:1000001; rev:1;)\n";
        String rules = line.repeat((12 << 20) / line.length());
        Path disk = dir.resolve("config.img");
        ConfigDisk.write(disk, "ids", Map.of("rules", rules, "home_net", "any"), Map.of(), List.of());

        String stat = HostTool.run(List.of("debugfs", "-R", "stat /params/rules", disk.toString()), dir).stdout();
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
}
