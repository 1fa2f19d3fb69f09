package dev.appliance.builder;

import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny recipes built directly as records (the parser is tested on its own): trixie minbase plus
 * passwd as the base, and children adding one small package, a file, a run step and a user.
 */
final class TestRecipes {
  private TestRecipes() {}

  static Recipe base(Path dir) {
    return plain(
        source(dir, "base.yaml"),
        "testbase",
        "1",
        new Recipe.Base("debian", "trixie", "minbase", null, List.of("main")),
        List.of("passwd"),
        Recipe.Services.none(),
        null);
  }

  static Recipe child(Path dir, String name, Recipe parent, List<String> packages, Path file) {
    return new Recipe(
        source(dir, name + ".yaml"),
        name,
        "1.0",
        "test child",
        parent.base(),
        packages,
        List.of(new Recipe.FileEntry(file, "/etc/" + name + "/motd", 0640, "root", "app")),
        List.of(new Recipe.RunStep("echo built > /var/lib/" + name + ".stamp")),
        Recipe.Services.none(),
        List.of(new Recipe.User("app", null, null, List.of(), "/srv/app", "/bin/sh", true)),
        List.of(new Recipe.Group("app", null, true)),
        List.of(),
        List.of(new Recipe.Port("http", 80, "tcp")),
        List.of(),
        new Recipe.HealthCheck("tcp", 80, null, 0, 30),
        new Recipe.Resources(256, 1, 1L << 30),
        null,
        List.of(new Recipe.Param("password", "s3cret", true, "admin password")),
        null,
        parent);
  }

  /** A child of {@link #base} adding hello, in {@code dir} (its motd written there if missing). */
  static Recipe tiny(Path dir) throws IOException {
    Path motd = dir.resolve("motd");
    if (!Files.exists(motd)) {
      Files.writeString(motd, "hello\n");
    }
    return child(dir, "tiny", base(dir), List.of("hello"), motd);
  }

  /** {@code r} declaring {@code stateDirs}. */
  static Recipe withStateDirs(Recipe r, List<String> stateDirs) {
    return new Recipe(
        r.source(),
        r.name(),
        r.version(),
        r.description(),
        r.base(),
        r.packages(),
        r.files(),
        r.run(),
        r.services(),
        r.users(),
        r.groups(),
        stateDirs,
        r.ports(),
        r.networks(),
        r.health(),
        r.resources(),
        r.kernels(),
        r.params(),
        r.data(),
        r.parent());
  }

  /** A child of {@code parent} that installs {@code packages} and applies {@code services}. */
  static Recipe withServices(
      Path dir, String name, Recipe parent, List<String> packages, Recipe.Services services) {
    return plain(
        source(dir, name + ".yaml"), name, "1.0", parent.base(), packages, services, parent);
  }

  /** Packages and services only: no files, run steps, users, ports or parameters. */
  private static Recipe plain(
      Path source,
      String name,
      String version,
      Recipe.Base base,
      List<String> packages,
      Recipe.Services services,
      Recipe parent) {
    return new Recipe(
        source,
        name,
        version,
        "test " + name,
        base,
        packages,
        List.of(),
        List.of(),
        services,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        new Recipe.Resources(256, 1, 1L << 30),
        null,
        List.of(),
        null,
        parent);
  }

  /**
   * The recipe file {@code name} in {@code dir}, written (a stand-in body) when missing: a build
   * records the digest of every recipe file it was given (BuildRecord).
   */
  private static Path source(Path dir, String name) {
    Path file = dir.resolve(name);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dir);
        Files.writeString(file, "# " + name + ": built as a record by TestRecipes\n");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }
}
