package dev.appliance.runtime.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.appliance.runtime.disk.TestLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * recipes/base/files as they are in this checkout, installed where and as the base recipe installs
 * them, for test layers over a cached root tree (no rebuild when a script changes).
 */
final class BaseRecipeFiles {
  static final Path DIR = Path.of("../recipes/base/files").toAbsolutePath().normalize();

  private BaseRecipeFiles() {}

  /**
   * Adds the named scripts to /usr/lib/appliance (0755), with the kernel command-line helper they
   * source from beside them (0644).
   */
  static TestLayer scripts(TestLayer layer, String... names) throws IOException {
    layer.dir("usr/lib/appliance", 0755, 0, 0);
    layer.file("usr/lib/appliance/appliance-cmdline", read("appliance-cmdline"), 0644);
    for (String name : names) {
      layer.file("usr/lib/appliance/" + name, read(name), 0755);
    }
    return layer;
  }

  /** Adds the named systemd units to /etc/systemd/system (0644). */
  static TestLayer units(TestLayer layer, String... names) throws IOException {
    for (String name : names) {
      layer.file("etc/systemd/system/" + name, read(name), 0644);
    }
    return layer;
  }

  /**
   * The units the base recipe masks (its {@code services: mask:} list): what an appliance never
   * needs at boot.
   */
  static List<String> maskedUnits() throws IOException {
    Path recipe = DIR.resolveSibling("debian.yaml");
    List<String> units = new ArrayList<>();
    new ObjectMapper(new YAMLFactory())
        .readTree(recipe.toFile())
        .path("services")
        .path("mask")
        .forEach(unit -> units.add(unit.asText()));
    if (units.isEmpty() || !units.stream().allMatch(u -> u.matches("[A-Za-z0-9@._-]+"))) {
      throw new IllegalStateException(recipe + ": expected a services: mask: list of unit names");
    }
    return units;
  }

  private static byte[] read(String name) throws IOException {
    return Files.readAllBytes(DIR.resolve(name));
  }
}
