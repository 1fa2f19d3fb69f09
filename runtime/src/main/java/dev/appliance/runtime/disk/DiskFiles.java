package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files read from an image's assembled ext4 root disk with debugfs, read-only: a few short debugfs
 * runs instead of decompressing the layers again. debugfs resolves symlinks on the way inside the
 * filesystem (an absolute link starts at its root, ".." stops there); a final symlink is followed
 * here.
 */
final class DiskFiles implements FileSource {
  private static final int MAX_HOPS = 40;
  private static final Pattern TYPE = Pattern.compile("Type: (\\S+)\\s+Mode:\\s+(\\d+)");
  private static final String FAST_LINK = "Fast link dest: \"";

  private final Path disk;
  private final Path workDir;
  private final Map<String, Integer> modes = new HashMap<>();

  DiskFiles(Path disk, Path workDir) {
    this.disk = disk;
    this.workDir = workDir;
  }

  @Override
  public String regularFile(String path) {
    String current = "/" + EntryPath.normalise(path.replaceFirst("^/+", ""));
    for (int hop = 0; hop <= MAX_HOPS; hop++) {
      HostTool.Result stat = debugfs("stat " + DebugfsScript.quote(current));
      Matcher type = TYPE.matcher(stat.stdout());
      if (!type.find()) {
        return null;
      }
      switch (type.group(1)) {
        case "regular" -> {
          modes.put(current, Integer.parseInt(type.group(2), 8));
          return current;
        }
        case "symlink" -> {
          String target = linkTarget(stat.stdout(), current);
          current =
              target.startsWith("/")
                  ? target
                  : current.substring(0, current.lastIndexOf('/') + 1) + target;
        }
        default -> {
          return null;
        }
      }
    }
    return null;
  }

  private String linkTarget(String stat, String link) {
    for (String line : stat.split("\n")) {
      if (line.startsWith(FAST_LINK)) {
        return line.substring(FAST_LINK.length(), line.lastIndexOf('"'));
      }
    }
    // A long target lives in a data block: its content is the target.
    return debugfs("cat " + DebugfsScript.quote(link)).stdout();
  }

  @Override
  public void copy(Map<String, Path> targets) throws IOException {
    if (targets.isEmpty()) {
      return;
    }
    Path script = Files.createTempFile(workDir, "dump", ".debugfs");
    try {
      try (BufferedWriter w = Files.newBufferedWriter(script, StandardCharsets.UTF_8)) {
        for (Map.Entry<String, Path> t : targets.entrySet()) {
          DebugfsScript.line(
              w,
              "dump "
                  + DebugfsScript.quote(t.getKey())
                  + " "
                  + DebugfsScript.quote(t.getValue().toString()));
        }
      }
      HostTool.Result result =
          HostTool.runAllowingFailure(
              List.of("debugfs", "-f", script.toString(), disk.toString()), workDir, Map.of());
      String errors = result.debugfsErrors();
      if (result.exitCode() != 0 || !errors.isEmpty()) {
        throw new ApplianceException(
            "cannot read files from the root disk " + disk + ": " + errors);
      }
    } finally {
      Files.deleteIfExists(script);
    }
    for (Map.Entry<String, Path> t : targets.entrySet()) {
      if ((modes.getOrDefault(t.getKey(), 0644) & 0111) != 0) {
        t.getValue().toFile().setExecutable(true, false);
      }
    }
  }

  private HostTool.Result debugfs(String request) {
    return HostTool.runAllowingFailure(
        List.of("debugfs", "-R", request, disk.toString()), workDir, Map.of());
  }
}
