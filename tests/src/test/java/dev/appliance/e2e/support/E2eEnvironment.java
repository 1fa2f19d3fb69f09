package dev.appliance.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
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

  /**
   * The command that runs the CLI from this checkout, as its users run it: the repository's {@code
   * ./appliance} launcher (the class-data archive the build made beside the jar, and each command's
   * JVM flags; half the CPU of a bare {@code java -jar} for a short command, and the e2e suites run
   * hundreds), when the suites test the jar the checkout built; else {@code java -jar} on the jar
   * they were given.
   */
  public static List<String> cli() {
    Path jar = jar().toAbsolutePath().normalize();
    Path launcher = repository().resolve("appliance").toAbsolutePath().normalize();
    if (Files.isExecutable(launcher)
        && jar.equals(launcher.resolveSibling("cli/target/appliance.jar"))) {
      return List.of(launcher.toString());
    }
    return javaJar(jar);
  }

  /** {@code java -jar JAR} with the JDK the suites run on. */
  public static List<String> javaJar(Path jar) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
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
