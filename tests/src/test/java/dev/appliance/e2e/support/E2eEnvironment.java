package dev.appliance.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Paths the build hands to the end-to-end tests (see tests/pom.xml). */
public final class E2eEnvironment {
  private E2eEnvironment() {}

  /** The repository's root: the working directory of every CLI run. */
  public static Path repository() {
    return property("appliance.repository", "..");
  }

  /** The runnable jar the reactor packaged before the tests module ran. */
  public static Path jar() {
    Path jar = property("appliance.jar", "../cli/target/appliance.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: run the suites with ./scripts/test or"
              + " mvn verify (mvn test stops before the jar is packaged)");
    }
    return jar;
  }

  /** The project's version, as --version should print it. */
  public static String version() {
    return System.getProperty("appliance.version", "");
  }

  /** Where the suites keep their files: target/e2e/. */
  public static Path work() {
    return property("appliance.e2e.work", "target/e2e");
  }

  /** A fresh, empty directory for one test's files under target/e2e/. */
  public static Path freshDirectory(String name) {
    Path dir = work().resolve(name);
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> paths = Files.walk(dir)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
      Files.createDirectories(dir);
      // Beside the directory, not in it: a test may need it empty (canaries).
      Path marker = Files.createDirectories(work().resolve(MAKERS)).resolve(name);
      Files.writeString(marker, ProcessHandle.current().pid() + " " + System.currentTimeMillis());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
  }

  /**
   * The directory of files, one per {@link #freshDirectory}, naming the JVM that made it, and when.
   */
  static final String MAKERS = ".made-by";

  /** Which JVM made a {@link #freshDirectory}, and when (epoch milliseconds). */
  record Maker(long pid, long madeAt) {
    boolean isThisJvmSince(long millis) {
      return pid == ProcessHandle.current().pid() && madeAt >= millis;
    }
  }

  /** Who made {@code dir}, if {@link #freshDirectory} did. */
  static Optional<Maker> madeBy(Path dir) throws IOException {
    Path marker = work().resolve(MAKERS).resolve(dir.getFileName().toString());
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    String[] fields = Files.readString(marker).strip().split(" ");
    return Optional.of(new Maker(Long.parseLong(fields[0]), Long.parseLong(fields[1])));
  }

  /**
   * Copies the repository's recipe directories {@code dirs} (e.g. "base", "lamp") under {@code
   * target}, keeping their layout so that {@code extends: ../base/...} still resolves; returns
   * {@code target}. Tests write lock files or change a recipe in the copy, never in the repository.
   */
  public static Path copyRecipes(Path target, String... dirs) {
    Path source = repository().resolve("recipes");
    try {
      for (String dir : dirs) {
        try (Stream<Path> paths = Files.walk(source.resolve(dir))) {
          for (Path path : paths.toList()) {
            Path copy = target.resolve(source.relativize(path).toString());
            if (Files.isDirectory(path)) {
              Files.createDirectories(copy);
            } else {
              Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES);
            }
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy recipes to " + target, e);
    }
  }

  private static Path property(String name, String fallback) {
    return Path.of(System.getProperty(name, fallback)).toAbsolutePath().normalize();
  }
}
