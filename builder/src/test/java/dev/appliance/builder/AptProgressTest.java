package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AptProgressTest {
  @Test
  void downloadProgressFollowsAptsOwnLines() {
    List<String> events = new ArrayList<>();
    List<String> logged = new ArrayList<>();
    AptProgress progress =
        new AptProgress(
            new BuildListener() {
              @Override
              public void progress(String what, long done, long total) {
                events.add(what + " " + done + "/" + total);
              }

              @Override
              public void log(String line) {
                logged.add(line);
              }
            });
    List<String> lines =
        List.of(
            "Get:1 http://mirror.invalid/debian trixie InRelease [140 kB]",
            "Get:4 http://mirror.invalid/debian trixie/main amd64 Packages [9,670 kB]",
            "Need to get 1,234 kB/2,500 kB of archives.",
            "Get:1 http://mirror.invalid/debian trixie/main amd64 hello amd64 2.10-3 [1,000 kB]",
            "Get:2 http://mirror.invalid/debian trixie/main amd64 tzdata all 2025b-4 [234 kB]",
            "Fetched 1,234 kB in 0s (5,000 kB/s)");
    lines.forEach(progress);
    assertEquals(
        List.of("download 0/1234000", "download 1000000/1234000", "download 1234000/1234000"),
        events,
        "index downloads before 'Need to get' are not package downloads");
    assertEquals(lines, logged, "every line is still logged");
  }

  @Test
  void sizesAreSiUnits() {
    assertEquals(25_400_000L, AptProgress.bytes("25.4 MB"));
    assertEquals(7_395_000L, AptProgress.bytes("7395 kB"));
    assertEquals(512L, AptProgress.bytes("512 B"));
    assertEquals(1_200_000_000L, AptProgress.bytes("1.2 GB"));
  }
}
