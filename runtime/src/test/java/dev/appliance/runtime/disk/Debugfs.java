package dev.appliance.runtime.disk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads an ext4 image the way a user would check it: debugfs and e2fsck, read-only. */
public final class Debugfs {
  private static final Pattern STAT =
      Pattern.compile(
          "Type: (.+?)\\s+Mode:\\s+(\\d+).*?User:\\s+(\\d+)\\s+Group:\\s+(\\d+).*?Size: (\\d+).*?Links: (\\d+)",
          Pattern.DOTALL);
  private static final Pattern DEVICE = Pattern.compile("Device major/minor number: (\\d+):(\\d+)");

  /**
   * What {@code debugfs -R 'stat PATH'} says; {@code raw} keeps the full text (xattrs, symlink
   * target).
   */
  record Stat(
      String type, int mode, long uid, long gid, long size, int links, String device, String raw) {}

  private final Path image;

  public Debugfs(Path image) {
    this.image = image;
  }

  /**
   * @return null when the path does not exist in the image
   */
  Stat stat(String path) {
    HostTool.Result r =
        HostTool.runAllowingFailure(
            List.of("debugfs", "-R", "stat \"" + path + "\"", image.toString()),
            image.getParent(),
            Map.of());
    Matcher m = STAT.matcher(r.stdout());
    if (!m.find()) {
      return null;
    }
    Matcher d = DEVICE.matcher(r.stdout());
    return new Stat(
        m.group(1),
        Integer.parseInt(m.group(2), 8),
        Long.parseLong(m.group(3)),
        Long.parseLong(m.group(4)),
        Long.parseLong(m.group(5)),
        Integer.parseInt(m.group(6)),
        d.find() ? Integer.parseInt(d.group(1)) + ":" + Integer.parseInt(d.group(2)) : null,
        r.stdout());
  }

  public String cat(String path) {
    return HostTool.run(
            List.of("debugfs", "-R", "cat \"" + path + "\"", image.toString()), image.getParent())
        .stdout();
  }

  /** A field of the superblock as {@code dumpe2fs -h} prints it, e.g. "Filesystem UUID". */
  public String superblock(String field) {
    String prefix = field + ":";
    return HostTool.run(List.of("dumpe2fs", "-h", image.toString()), image.getParent())
        .stdout()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .map(line -> line.substring(prefix.length()).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError("dumpe2fs -h printed no " + field));
  }

  /** The filesystem's size in bytes. */
  public long filesystemBytes() {
    return Long.parseLong(superblock("Block count")) * Long.parseLong(superblock("Block size"));
  }

  /** e2fsck -fn: exit 0 means a clean filesystem. */
  public HostTool.Result fsck() {
    return HostTool.runAllowingFailure(
        List.of("e2fsck", "-fn", image.toString()), image.getParent(), Map.of());
  }
}
