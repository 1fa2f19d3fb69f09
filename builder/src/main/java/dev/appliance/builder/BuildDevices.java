package dev.appliance.builder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The /dev a build step sees: a fresh tmpfs holding only the device nodes that package scripts and
 * run steps need, each bound from the host's /dev on its own, a private devpts instance (its own
 * ptmx, no host terminals) and a tmpfs /dev/shm. The host's disks, /dev/kvm, /dev/mem and terminals
 * stay out of reach. Binding single nodes works as root and in a user namespace alike.
 */
final class BuildDevices {
  /** Host device nodes a build may use. */
  static final List<String> NODES = List.of("full", "null", "random", "tty", "urandom", "zero");

  private BuildDevices() {}

  /**
   * Mounts the build's /dev at {@code dev}, an existing directory reached without symbolic links.
   */
  static void mount(Path dev) {
    Mounts.mount("-t", "tmpfs", "-o", "mode=0755,nosuid,noexec", "tmpfs", dev.toString());
    try {
      for (String node : NODES) {
        Path target = Files.createFile(dev.resolve(node));
        Mounts.mount("--bind", "/dev/" + node, target.toString());
      }
      for (StandardDevices.Node node : StandardDevices.NODES) {
        if (node.type() == TarConstants.LF_SYMLINK) {
          Files.createSymbolicLink(dev.resolve(node.name()), Path.of(node.target()));
        }
      }
      Path pts = Files.createDirectory(dev.resolve("pts"));
      // gid 5 is Debian's tty group; ptmxmode lets every user open the private ptmx.
      Mounts.mount(
          "-t",
          "devpts",
          "-o",
          "newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec",
          "devpts",
          pts.toString());
      Files.createSymbolicLink(dev.resolve("ptmx"), Path.of("pts/ptmx"));
      Path shm = Files.createDirectory(dev.resolve("shm"));
      Mounts.mount("-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "tmpfs", shm.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot set up the build's /dev at " + dev + ": " + e.getMessage(), e);
    }
  }
}
