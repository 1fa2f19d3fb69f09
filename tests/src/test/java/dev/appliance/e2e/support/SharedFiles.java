package dev.appliance.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Files another user must read wherever the clone is: a world-readable directory under /tmp holding
 * a copy of the CLI jar and whatever a suite copies in. Closing removes it as root (a user's layer
 * cache inside holds files of subordinate uids).
 */
public final class SharedFiles implements AutoCloseable {
  private final Path dir;
  private final Path jar;

  private SharedFiles(Path dir, Path jar) {
    this.dir = dir;
    this.jar = jar;
  }

  public static SharedFiles create(String prefix) throws IOException {
    Path dir =
        Files.createTempDirectory(
            Path.of("/tmp"),
            prefix,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.copy(E2eEnvironment.jar(), dir.resolve("appliance.jar"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    return new SharedFiles(dir, jar);
  }

  public Path dir() {
    return dir;
  }

  /** The CLI jar, readable by everyone. */
  public Path jar() {
    return jar;
  }

  /** Copies {@code source} (a file or directory) to {@code name} in here, readable by everyone. */
  public Path copy(Path source, String name) throws IOException {
    Path target = dir.resolve(name);
    Files.createDirectories(target.getParent());
    BuildUser.exec(List.of("cp", "-r", source.toString(), target.toString()));
    BuildUser.exec(List.of("chmod", "-R", "a+rX", target.toString()));
    return target;
  }

  @Override
  public void close() throws IOException {
    BuildUser.removeTrees(List.of(dir));
  }
}
