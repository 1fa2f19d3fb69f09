package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.engine.Confinement;
import dev.appliance.runtime.engine.ProcessStarter;
import dev.appliance.runtime.engine.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceProcessesTest {
  @Test
  void findsAndKillsMarkedProcessesAndTheirChildrenOnly(@TempDir Path dir) throws Exception {
    Path mine = dir.resolve("a");
    Path other = dir.resolve("ab"); // a prefix of another marker must not match
    java.nio.file.Files.createDirectories(mine);
    java.nio.file.Files.createDirectories(other);
    Process parent =
        new ProcessStarter(mine, Sandbox.NONE)
            .startLogged(
                List.of("sh", "-c", "sleep 300 & sleep 300; exit 0"),
                mine.resolve("log"),
                Confinement.engine(List.of(mine), List.of(), List.of()));
    Process stranger =
        new ProcessStarter(other, Sandbox.NONE)
            .startLogged(
                List.of("sleep", "300"),
                other.resolve("log"),
                Confinement.engine(List.of(other), List.of(), List.of()));
    try {
      long deadline = System.currentTimeMillis() + 5000;
      while (InstanceProcesses.find(mine).size() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(
          3, InstanceProcesses.find(mine).size(), "sh and its two sleeps carry the marker");
      assertTrue(InstanceProcesses.isOurs(parent.pid(), mine));
      InstanceProcesses.killAll(mine);
      assertTrue(InstanceProcesses.find(mine).isEmpty());
      assertTrue(stranger.isAlive(), "another instance's process is left alone");
    } finally {
      stranger.destroyForcibly();
      parent.destroyForcibly();
    }
  }

  /**
   * An engine in its bwrap sandbox (own PID namespace, cleared environment) is still found and
   * killed from the host.
   */
  @Test
  void findsAndKillsSandboxedProcesses(@TempDir Path dir) throws Exception {
    Bubblewrap.Support host = Bubblewrap.probe();
    Assumptions.assumeTrue(host.sandbox().isPresent(), () -> "no sandbox here: " + host.problem());
    Path mine = Files.createDirectories(dir.resolve("a"));
    ProcessStarter starter = new ProcessStarter(mine, host.sandbox().get());
    Process parent =
        starter.startLogged(
            List.of("sh", "-c", "sleep 301 & sleep 301; exit 0"),
            mine.resolve("log"),
            Confinement.engine(List.of(mine), List.of(), List.of()));
    try {
      long deadline = System.currentTimeMillis() + 5000;
      while (sleeps(mine) < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(
          2,
          sleeps(mine),
          "both sleeps inside the sandbox carry the marker: "
              + Files.readString(mine.resolve("log")));
      assertTrue(InstanceProcesses.isOurs(parent.pid(), mine), "bwrap itself carries it too");
      InstanceProcesses.killAll(mine);
      assertTrue(InstanceProcesses.find(mine).isEmpty());
      assertTrue(parent.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
    } finally {
      parent.destroyForcibly();
    }
  }

  private static long sleeps(Path instance) {
    return InstanceProcesses.find(instance).stream()
        .filter(p -> p.info().command().orElse("").endsWith("/sleep"))
        .count();
  }
}
