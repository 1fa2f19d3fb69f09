package dev.appliance.builder;

import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The entries of a base image's /dev, as mmdebstrap creates them in root mode (its
 * {@code @devfiles} table). A booted system mounts devtmpfs over /dev; until then the kernel and
 * early boot need /dev/console and /dev/null.
 */
final class StandardDevices {
  static final String DIRECTORY = "dev/";

  /** One entry below /dev: a directory, a symbolic link or a character device. */
  record Node(String name, byte type, int mode, String target, int major, int minor) {}

  static final List<Node> NODES =
      List.of(
          device("console", 5, 1),
          link("fd", "/proc/self/fd"),
          device("full", 1, 7),
          device("null", 1, 3),
          device("ptmx", 5, 2),
          directory("pts"),
          device("random", 1, 8),
          directory("shm"),
          link("stderr", "/proc/self/fd/2"),
          link("stdin", "/proc/self/fd/0"),
          link("stdout", "/proc/self/fd/1"),
          device("tty", 5, 0),
          device("urandom", 1, 9),
          device("zero", 1, 5));

  private StandardDevices() {}

  private static Node device(String name, int major, int minor) {
    return new Node(name, TarConstants.LF_CHR, 0666, null, major, minor);
  }

  private static Node link(String name, String target) {
    return new Node(name, TarConstants.LF_SYMLINK, 0777, target, 0, 0);
  }

  private static Node directory(String name) {
    return new Node(name, TarConstants.LF_DIR, 0755, null, 0, 0);
  }
}
