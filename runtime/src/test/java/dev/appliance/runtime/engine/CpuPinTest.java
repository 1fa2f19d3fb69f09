package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The choice of a UML guest's CPU, from a /proc tree written here. */
class CpuPinTest {
  @TempDir Path proc;

  @Test
  void readsTheAllowedListsKernelsWrite() {
    assertEquals(List.of(0, 1, 2, 3, 6), CpuPin.cpuList("0-3,6\n"));
    assertEquals(List.of(5), CpuPin.cpuList("5"));
    assertEquals(List.of(), CpuPin.cpuList("0-x"));
  }

  @Test
  void anIdleHostGivesTheHighestCpu() throws IOException {
    process(100, 1, "/usr/bin/bash", "0-1");
    assertEquals(Optional.of(new CpuPin(1)), CpuPin.choose(proc, "linux.uml", List.of(0, 1)));
  }

  @Test
  void aSecondGuestGoesToTheCpuNoGuestUses() throws IOException {
    process(200, 1, "/usr/bin/bwrap", "0-1");
    process(201, 200, "/cache/uml/sha256-a/linux.uml", "1");
    // the first guest's own processes (its kernel's children) are not more guests
    process(202, 201, "/cache/uml/sha256-a/linux.uml", "1");
    process(203, 201, "/cache/uml/sha256-a/linux.uml", "1");
    assertEquals(Optional.of(new CpuPin(0)), CpuPin.choose(proc, "linux.uml", List.of(0, 1)));

    process(300, 1, "/cache/uml/sha256-b/linux.uml", "0");
    process(400, 1, "/cache/uml/sha256-c/linux.uml", "0");
    assertEquals(Optional.of(new CpuPin(1)), CpuPin.choose(proc, "linux.uml", List.of(0, 1)));
  }

  @Test
  void unpinnedGuestsAndOtherProgramsCountForNoCpu() throws IOException {
    process(500, 1, "/cache/uml/sha256-a/linux.uml", "0-1"); // an SMP guest, or one run by hand
    process(501, 1, "/usr/bin/linux.uml.sh", "1");
    assertEquals(Optional.of(new CpuPin(1)), CpuPin.choose(proc, "linux.uml", List.of(0, 1)));
  }

  @Test
  void oneAllowedCpuLeavesNothingToChoose() {
    assertEquals(Optional.empty(), CpuPin.choose(proc, "linux.uml", List.of(3)));
    assertEquals(Optional.empty(), CpuPin.choose(proc, "linux.uml", List.of()));
  }

  @Test
  void theAllowedCpusAreThoseOfThisProcess() throws IOException {
    process(600, 1, "/usr/bin/java", "2,4-5");
    assertEquals(List.of(2, 4, 5), CpuPin.allowed(proc.resolve("600/status")));
  }

  private void process(long pid, long parent, String program, String cpus) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.write(
        dir.resolve("cmdline"), (program + "\0mem=1024M\0").getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dir.resolve("status"),
        "Name:\tx\nPPid:\t" + parent + "\nCpus_allowed:\t3\nCpus_allowed_list:\t" + cpus + "\n");
  }
}
