package dev.appliance.runtime.instance;

import dev.appliance.runtime.engine.ProcessStarter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceProcessesTest {
    @Test
    void findsAndKillsMarkedProcessesAndTheirChildrenOnly(@TempDir Path dir) throws Exception {
        Path mine = dir.resolve("a");
        Path other = dir.resolve("ab"); // a prefix of another marker must not match
        java.nio.file.Files.createDirectories(mine);
        java.nio.file.Files.createDirectories(other);
        Process parent = new ProcessStarter(mine).startLogged(List.of("sh", "-c", "sleep 300 & sleep 300; exit 0"), mine.resolve("log"));
        Process stranger = new ProcessStarter(other).startLogged(List.of("sleep", "300"), other.resolve("log"));
        try {
            long deadline = System.currentTimeMillis() + 5000;
            while (InstanceProcesses.find(mine).size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(3, InstanceProcesses.find(mine).size(), "sh and its two sleeps carry the marker");
            assertTrue(InstanceProcesses.isOurs(parent.pid(), mine));
            InstanceProcesses.killAll(mine);
            assertTrue(InstanceProcesses.find(mine).isEmpty());
            assertTrue(stranger.isAlive(), "another instance's process is left alone");
        } finally {
            stranger.destroyForcibly();
            parent.destroyForcibly();
        }
    }
}
