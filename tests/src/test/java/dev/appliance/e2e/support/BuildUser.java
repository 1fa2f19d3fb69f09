package dev.appliance.e2e.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * An unprivileged account as an administrator makes one: {@code useradd --create-home}, login shell
 * /bin/sh, and a subordinate id range of its own for rootless builds. Created once per machine;
 * suites running as root use it.
 */
public final class BuildUser {
  private BuildUser() {}

  /**
   * Creates {@code name} unless it exists and gives it {@code range} ("START-END", 65536 ids) in
   * /etc/subuid and /etc/subgid unless it has one.
   */
  public static synchronized void ensure(String name, String range) throws IOException {
    // Suites in parallel forks, or another checkout's run, may add accounts at the same time:
    // useradd and usermod fail, not wait, while another holds /etc/passwd's lock.
    try (FileChannel channel =
            FileChannel.open(
                Path.of("/var/tmp/appliance-test-accounts.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      ensureLocked(name, range);
    }
  }

  private static void ensureLocked(String name, String range) throws IOException {
    Path subuid = Path.of("/etc/subuid");
    Path subgid = Path.of("/etc/subgid");
    // useradd only allocates ranges, and usermod only adds them, where these files exist.
    for (Path ids : List.of(subuid, subgid)) {
      if (!Files.exists(ids)) {
        Files.createFile(
            ids,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
      }
    }
    if (new ProcessBuilder("id", "-u", name).start().onExit().join().exitValue() != 0) {
      exec(List.of("useradd", "--create-home", "--shell", "/bin/sh", name));
    }
    if (!hasRange(subuid, name)) {
      exec(List.of("usermod", "--add-subuids", range, name));
    }
    if (!hasRange(subgid, name)) {
      exec(List.of("usermod", "--add-subgids", range, name));
    }
  }

  /** The user's numeric id. */
  public static int uidOf(String user) throws IOException {
    return Integer.parseInt(exec(List.of("id", "-u", user)).strip());
  }

  /** The user's home directory, from the password database. */
  public static Path homeOf(String user) throws IOException {
    String entry = exec(List.of("getent", "passwd", user)).strip();
    return Path.of(entry.split(":")[5]);
  }

  /**
   * Runs a host command as this (root) process; its output, or an IOException naming the failure.
   */
  public static String exec(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * Deletes {@code trees} as this (root) process, without crossing into mounts: guests' and other
   * accounts' files and read-only directories included, which {@code Files.delete} stops at.
   */
  public static void removeTrees(List<Path> trees) throws IOException {
    if (trees.isEmpty()) {
      return;
    }
    List<String> rm = new ArrayList<>(List.of("rm", "-rf", "--one-file-system", "--"));
    trees.forEach(tree -> rm.add(tree.toString()));
    exec(rm);
  }

  private static boolean hasRange(Path file, String name) throws IOException {
    return Files.readAllLines(file).stream().anyMatch(l -> l.startsWith(name + ":"));
  }
}
