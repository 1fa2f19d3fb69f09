package dev.appliance.runtime.disk;

import dev.appliance.common.FileTrees;
import dev.appliance.common.HostTools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a main class in its own JVM as an ordinary user: uid 65534 via setpriv when the tests run as
 * root, else as the (already unprivileged) current user. Owns a world-readable scratch directory
 * with a copy of the class path, because the tests' own temp directories and ~/.m2 are private.
 */
public final class Unprivileged implements AutoCloseable {
  public static final int NOBODY = 65534;

  private final Path shared;
  private final String classpath;

  public Unprivileged() throws IOException {
    shared = Files.createTempDirectory(Path.of("/tmp"), "appliance-unprivileged-");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    classpath = copyClasspath(Files.createDirectory(shared.resolve("cp")));
  }

  /** Readable by the other user. */
  public Path dir() {
    return shared;
  }

  /** A directory the other user owns (so it can write there). */
  public Path writableDir(String name) throws IOException {
    Path dir = Files.createDirectory(shared.resolve(name));
    if (HostTools.isRoot()) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName(Integer.toString(NOBODY)));
    }
    return dir;
  }

  public HostTool.Result runJava(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    if (HostTools.isRoot()) {
      command.addAll(
          List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classpath,
            main.getName()));
    command.addAll(List.of(args));
    // A plain PATH without sbin: the code must find e2fsprogs itself, as for a real user.
    return HostTool.runAllowingFailure(
        command, shared, Map.of("HOME", shared.toString(), "PATH", "/usr/bin:/bin"));
  }

  /** The uid that owns {@code file}. */
  public static int owner(Path file) throws IOException {
    return (Integer) Files.getAttribute(file, "unix:uid");
  }

  @Override
  public void close() throws IOException {
    FileTrees.deleteRecursively(shared);
  }

  private static String copyClasspath(Path dir) throws IOException {
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path source = Path.of(entry);
      if (!Files.exists(source)) {
        continue;
      }
      Path copy = dir.resolve(n++ + "-" + source.getFileName());
      if (Files.isDirectory(source)) {
        try (var files = Files.walk(source)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            Files.copy(p, copy.resolve(source.relativize(p).toString()));
          }
        }
      } else {
        Files.copy(source, copy);
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
