package dev.appliance.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Facts about the host shared by the builder's and the runtime's checks. */
public final class HostTools {
  /**
   * Debian's PATH for root, which every build step gets whatever the caller's PATH: a plain user's
   * lacks the sbin directories (chroot, mke2fs, debugfs).
   */
  public static final String STANDARD_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private HostTools() {}

  /** The executable {@code name} from PATH, then from {@link #STANDARD_PATH} (sbin included). */
  public static Optional<Path> find(String name) {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of(STANDARD_PATH.split(":")));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code command} with its program as a full path found by {@link #find}, so that the caller's
   * PATH does not decide; unchanged when not found (starting it then fails naming the program).
   */
  public static List<String> resolve(List<String> command) {
    if (command.isEmpty() || command.get(0).contains("/")) {
      return command;
    }
    List<String> resolved = new ArrayList<>(command);
    find(command.get(0)).ifPresent(path -> resolved.set(0, path.toString()));
    return resolved;
  }

  /**
   * Whether a host tool is installed.
   *
   * @param checkName the check's name, e.g. {@code disk.qemu-img}
   * @param executable the program, looked up like {@link #find}
   * @param debianPackage the package that ships it
   * @param purpose what appliance needs it for, e.g. "convert disks for export"
   */
  public static HostCheck tool(
      String checkName, String executable, String debianPackage, String purpose) {
    return find(executable)
        .map(path -> HostCheck.ok(checkName, path + " (" + purpose + ")"))
        .orElseGet(
            () ->
                HostCheck.gap(
                    checkName,
                    executable + " not found: needed to " + purpose,
                    aptInstall(debianPackage)));
  }

  /** True when this process runs as uid 0. */
  public static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** {@code apt-get install} of Debian packages, with sudo when not root. */
  public static String aptInstall(String... packages) {
    List<String> words = new ArrayList<>();
    if (!isRoot()) {
      words.add("sudo");
    }
    words.addAll(List.of("apt-get", "install", "-y", "--no-install-recommends"));
    words.addAll(List.of(packages));
    return String.join(" ", words);
  }

  /** A privileged command, with sudo when not root. */
  public static String asRoot(String command) {
    return isRoot() ? command : "sudo " + command;
  }
}
