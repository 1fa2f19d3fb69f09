package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The class-data archive (docs/cli.md "Start-up"): the build makes one the JVM maps for the jar,
 * the launcher {@code ./appliance} uses the one beside its jar, and a stale, damaged or missing
 * archive changes nothing a user sees: same exit code, same stdout. Whether the JVM mapped the
 * archive is read from its class-loading log: the program's own classes (the JDK's come from its
 * default archive anyway) with "source: shared objects file".
 */
@EndToEnd
class LauncherArchiveTest {
  private static final String FROM_ARCHIVE = "source: shared objects file";

  private Path root;
  private Path jar;
  private Path archive;
  private Path classLog;

  /** A copy of the launcher with the packaged jar: the launcher finds nothing there to rebuild. */
  @BeforeEach
  void launcherCopy() throws IOException {
    root = E2eEnvironment.freshDirectory("launcher-archive").toRealPath();
    Path target = Files.createDirectories(root.resolve("cli/target"));
    Files.copy(E2eEnvironment.repository().resolve("appliance"), root.resolve("appliance"));
    jar = Files.copy(E2eEnvironment.jar(), target.resolve("appliance.jar"));
    archive = target.resolve("appliance.jsa");
    classLog = root.resolve("classes.log");
    Files.createDirectories(root.resolve("home"));
  }

  @Test
  void theBuildsArchiveIsMappedForItsJar() throws Exception {
    Path builtJar = E2eEnvironment.jar().toRealPath();
    Path builtArchive = builtJar.resolveSibling("appliance.jsa");
    assertTrue(Files.isRegularFile(builtArchive), "the package phase made " + builtArchive);
    Result result =
        run(
            List.of(
                "java",
                "-XX:SharedArchiveFile=" + builtArchive,
                "-Xlog:class+load:file=" + classLog,
                "-jar",
                builtJar.toString(),
                "--version"));
    assertEquals(versionLine(), result.stdout());
    assertTrue(classesFromArchive() > 100, "classes mapped from " + builtArchive);
  }

  @Test
  void launcherMapsTheArchiveBesideItsJarAndIgnoresAStaleOne() throws Exception {
    train();
    Result fresh = runLauncher("--version");
    assertEquals(0, fresh.exit(), fresh.stderr());
    assertEquals(versionLine(), fresh.stdout());
    assertTrue(classesFromArchive() > 100, "classes mapped from " + archive);

    // A jar rebuilt without a new archive: the JVM sees the jar's time changed.
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    Result stale = runLauncher("--version");
    assertEquals(0, stale.exit(), stale.stderr());
    assertEquals(versionLine(), stale.stdout(), "nothing but the version on stdout");
    assertEquals(0, classesFromArchive(), "a stale archive is not mapped");
    assertFalse(stale.stderr().contains("cds"), stale.stderr());
  }

  @Test
  void damagedOrMissingArchiveChangesNothingTheUserSees() throws Exception {
    Files.write(archive, "not a class-data archive\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    Result damaged = runLauncher("ps");
    assertEquals(0, damaged.exit(), damaged.stderr());
    assertTrue(damaged.stdout().startsWith("NAME "), damaged.stdout());
    assertEquals(1, damaged.stdout().lines().count(), damaged.stdout());
    assertFalse(damaged.stderr().contains("cds"), damaged.stderr());

    Files.delete(archive);
    Result missing = runLauncher("--version");
    assertEquals(0, missing.exit(), missing.stderr());
    assertEquals(versionLine(), missing.stdout());
  }

  /** An archive for the copied jar, made the way cli/pom.xml makes the build's. */
  private void train() throws Exception {
    Path classList = root.resolve("appliance.classlist");
    Result training =
        run(
            List.of(
                "java",
                "-XX:DumpLoadedClassList=" + classList,
                "-cp",
                jar.toString(),
                "dev.appliance.cli.CdsTraining"));
    assertEquals(0, training.exit(), training.stderr());
    Result dump =
        run(
            List.of(
                "java",
                "-Xshare:dump",
                "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive,
                "-Xlog:cds=off",
                "-cp",
                jar.toString()));
    assertEquals(0, dump.exit(), dump.stderr());
    assertTrue(Files.size(archive) > 0);
  }

  @Test
  void theBuildsArchiveHoldsPicocli() throws Exception {
    Path builtJar = E2eEnvironment.jar().toRealPath();
    Result images =
        run(
            List.of(
                "java",
                "-XX:SharedArchiveFile=" + builtJar.resolveSibling("appliance.jsa"),
                "-Xlog:class+load:file=" + classLog,
                "-jar",
                builtJar.toString(),
                "images"));
    assertEquals(0, images.exit(), images.stderr());
    assertTrue(images.stdout().startsWith("NAME "), images.stdout());
    List<String> fromJar = classesFromJar();
    // Picocli's Java 5 class files: a dynamic archive would leave them all to the jar.
    assertTrue(
        fromJar.stream().noneMatch(c -> c.equals("picocli.CommandLine")),
        "picocli.CommandLine mapped from the archive; loaded from the jar: " + fromJar);
    assertTrue(fromJar.size() < 20, "classes loaded from the jar: " + fromJar);
  }

  /**
   * The supervisor JVM that each run starts maps what it loads from the archive too: the training
   * cannot boot a guest, so it loads the run path's classes by name (RunPathTraining). Here the
   * supervisor is started as SupervisorLauncher starts it, for an instance that no `run` creates:
   * it sets up its instance directory's JSON and gives up.
   */
  @Test
  void theBuildsArchiveHoldsTheSupervisor() throws Exception {
    Path builtJar = E2eEnvironment.jar().toRealPath();
    Path instance = root.resolve("home/state/instances/never-created");
    Result supervisor =
        run(
            List.of(
                "java",
                "-XX:SharedArchiveFile=" + builtJar.resolveSibling("appliance.jsa"),
                "-Xlog:cds=off",
                "-cp",
                builtJar.toString(),
                "dev.appliance.runtime.instance.Supervisor",
                instance.toString(),
                "--creator",
                "0"));
    assertEquals(0, supervisor.exit(), supervisor.stderr());
    List<String> fromJar = classesFromJar();
    assertTrue(
        Files.readString(classLog)
            .contains("] dev.appliance.runtime.instance.Supervisor " + FROM_ARCHIVE),
        "the Supervisor class mapped from the archive");
    assertTrue(
        fromJar.stream().noneMatch(c -> c.startsWith("dev.appliance.")),
        "the supervisor's own classes loaded from the jar: " + fromJar);
  }

  private Result runLauncher(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("appliance").toString()));
    command.addAll(List.of(arguments));
    return run(command);
  }

  private Result run(List<String> command) throws Exception {
    Files.deleteIfExists(classLog);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(root.resolve("stdout").toFile())
            .redirectError(root.resolve("stderr").toFile());
    pb.environment().put("APPLIANCE_HOME", root.resolve("home").toString());
    // The launcher's own java options stay as they are: the log comes through the JVM's
    // environment variable (which adds a "Picked up" line on stderr only).
    pb.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + classLog);
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(
        p.exitValue(),
        Files.readString(root.resolve("stdout")),
        Files.readString(root.resolve("stderr")));
  }

  private long classesFromArchive() throws IOException {
    if (!Files.exists(classLog)) {
      return 0;
    }
    try (var lines = Files.lines(classLog)) {
      return lines
          .filter(l -> l.contains("] dev.appliance.") || l.contains("] picocli."))
          .filter(l -> l.contains(FROM_ARCHIVE))
          .count();
    }
  }

  /** The classes the JVM read from the jar rather than from an archive. */
  private List<String> classesFromJar() throws IOException {
    try (var lines = Files.lines(classLog)) {
      return lines
          .filter(l -> l.contains("source: file:") && l.contains(".jar"))
          .map(l -> l.replaceAll(".*\\] (\\S+) source:.*", "$1"))
          .toList();
    }
  }

  private static String versionLine() {
    return "appliance " + E2eEnvironment.version() + "\n";
  }

  private record Result(int exit, String stdout, String stderr) {}
}
