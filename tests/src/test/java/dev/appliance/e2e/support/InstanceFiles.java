package dev.appliance.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What an instance directory on the host holds, as tests looking for leaked secrets see it. */
public final class InstanceFiles {
  private InstanceFiles() {}

  /**
   * The instance's JSON and log files (instance.json, status.json, console.log, ...) containing
   * {@code text}. Its disks are not searched: the config disk carries secrets by design.
   */
  public static List<Path> metadataAndLogsContaining(Path dir, String text) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> found = new ArrayList<>();
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".log"))
              .toList()) {
        if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
          found.add(file);
        }
      }
      return found;
    }
  }
}
