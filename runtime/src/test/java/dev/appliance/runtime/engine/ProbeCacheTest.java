package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeCacheTest {
  @TempDir Path dir;

  @Test
  void aVerdictHoldsOnlyForItsKey() {
    ProbeCache cache = ProbeCache.inState(dir);
    assertEquals(Optional.empty(), cache.get("bwrap", "boot-1"));
    cache.put("bwrap", "boot-1", "usable");
    assertEquals(Optional.of("usable"), cache.get("bwrap", "boot-1"));
    assertEquals(Optional.empty(), cache.get("bwrap", "boot-2"), "after a reboot: probe again");
    assertEquals(Optional.empty(), cache.get("kvm", "boot-1"), "one file per probe");
    assertEquals(1, dir.resolve("probes").toFile().list().length, "no temporary file left");
  }

  @Test
  void aDamagedFileIsNoVerdict() throws Exception {
    ProbeCache cache = new ProbeCache(dir);
    Files.writeString(dir.resolve("kvm.probe"), "usable");
    assertEquals(Optional.empty(), cache.get("kvm", "usable"));
  }

  @Test
  void aRewrittenProgramHasAnotherIdentity() throws Exception {
    Path program = Files.writeString(dir.resolve("bwrap"), "one");
    String before = ProbeCache.fileIdentity(program);
    assertEquals(before, ProbeCache.fileIdentity(program));
    Files.writeString(program, "two");
    Files.setLastModifiedTime(program, FileTime.fromMillis(0)); // even with an old time
    assertNotEquals(before, ProbeCache.fileIdentity(program));
  }
}
