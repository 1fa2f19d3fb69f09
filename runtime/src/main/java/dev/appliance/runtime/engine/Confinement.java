package dev.appliance.runtime.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What one engine process may see of the host besides the system's own programs and libraries
 * (read-only {@code /usr}): nothing else exists in its sandbox, not the user's home, not other
 * instances, not the rest of the data directory.
 *
 * @param writable directories and files it may write: its instance directory, its disks
 * @param readOnly files and directories it may only read: its kernel and libraries, the shared base
 *     disk. Mounted after the writable ones, so a read-only file inside a writable directory (the
 *     base disk's hard link) stays read-only.
 * @param devices device nodes it needs besides the basic ones ({@code /dev/kvm})
 * @param hostNetwork whether it shares the host's network; only the network helper does, engines
 *     talk to it over a unix socket in the instance directory
 */
public record Confinement(
    List<Path> writable, List<Path> readOnly, List<Path> devices, boolean hostNetwork) {
  public Confinement {
    writable = absolute(writable);
    readOnly = absolute(readOnly);
    devices = absolute(devices);
  }

  /** An engine: no host network. */
  public static Confinement engine(List<Path> writable, List<Path> readOnly, List<Path> devices) {
    return new Confinement(writable, readOnly, devices, false);
  }

  /** The network helper: its socket's directory and the host's network. */
  public static Confinement networkHelper(Path socketDir) {
    return new Confinement(List.of(socketDir), List.of(), List.of(), true);
  }

  private static List<Path> absolute(List<Path> paths) {
    return paths.stream().map(Path::toAbsolutePath).map(Path::normalize).distinct().toList();
  }
}
