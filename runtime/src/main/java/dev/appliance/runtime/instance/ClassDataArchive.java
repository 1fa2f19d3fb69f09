package dev.appliance.runtime.instance;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The class-data archive the build writes beside the CLI jar ({@code appliance.jsa} beside {@code
 * appliance.jar}, see docs/cli.md "Start-up"), for the supervisor JVMs: mapping it spares each the
 * parsing and verification of the classes it shares with the CLI. The JVM itself checks the archive
 * against the jar and ignores a stale or damaged one; its cds logs are turned off because their
 * warnings would go to stdout.
 */
final class ClassDataArchive {
  private ClassDataArchive() {}

  /** The JVM options that map the archive beside {@code classPath}'s jar; none without one. */
  static List<String> jvmOptions(String classPath) {
    if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
      return List.of(); // tests' class directories: no archive was made for them
    }
    Path archive = Path.of(classPath.substring(0, classPath.length() - ".jar".length()) + ".jsa");
    if (!Files.isRegularFile(archive)) {
      return List.of();
    }
    return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  }
}
