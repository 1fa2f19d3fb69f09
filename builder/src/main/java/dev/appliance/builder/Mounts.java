package dev.appliance.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** mount(8) and umount(8), and finding what is still mounted below a directory after a failure. */
final class Mounts {
  private Mounts() {}

  static void mount(String... args) {
    List<String> command = new ArrayList<>();
    command.add("mount");
    command.addAll(List.of(args));
    Processes.check(command);
  }

  /**
   * A sysfs at {@code target}. In a user namespace that does not own the network namespace a new
   * sysfs cannot be mounted: the host's is bound instead, as mmdebstrap does.
   */
  static void sysfs(Path target) {
    mountOrBindHostRecursively(List.of("-t", "sysfs", "sysfs"), "/sys", target);
  }

  /**
   * mount ARGS TARGET; where a user namespace refuses that, the host's {@code hostDir} bound
   * recursively.
   */
  private static void mountOrBindHostRecursively(List<String> args, String hostDir, Path target) {
    List<String> command = new ArrayList<>(List.of("mount"));
    command.addAll(args);
    command.add(target.toString());
    if (Processes.run(command, Map.of(), null, l -> {}, false).exitCode() != 0) {
      mount("--rbind", hostDir, target.toString());
    }
  }

  /** Unmounts everything mounted at or below {@code dir}, deepest first; lazily if busy. */
  static void unmountAllUnder(Path dir) {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<String> points = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          String point = unescape(f[4]);
          if (point.equals(prefix) || point.startsWith(prefix + "/")) {
            points.add(point);
          }
        }
      }
    } catch (IOException e) {
      return;
    }
    points.sort(Comparator.comparingInt(String::length).reversed());
    for (String point : points) {
      if (Processes.run(List.of("umount", point), Map.of(), null, l -> {}, false).exitCode() != 0) {
        Processes.run(List.of("umount", "-l", point), Map.of(), null, l -> {}, false);
      }
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }
}
