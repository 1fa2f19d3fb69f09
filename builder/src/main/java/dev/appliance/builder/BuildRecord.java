package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.BuildProvenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Makes the {@link BuildProvenance} of a build from the recipe chain and what the build used. */
final class BuildRecord {
  private BuildRecord() {}

  /**
   * @param lockFile the lock file the build followed, or null
   * @param mirror the mirror URI the build used
   * @param releases each suite's Release date the build used
   * @param epoch the build's SOURCE_DATE_EPOCH
   */
  static BuildProvenance of(
      Recipe recipe,
      Provenance git,
      Path lockFile,
      String mirror,
      Map<String, Instant> releases,
      long epoch) {
    Path root = workTree(recipe.source());
    Map<String, Digest> files = new TreeMap<>();
    for (Recipe r = recipe; r != null; r = r.parent()) {
      files.put(shown(root, r.source()), digestOf(r.source()));
      for (Recipe.FileEntry file : r.files()) {
        files.put(shown(root, file.source()), digestOf(file.source()));
      }
    }
    String version = BuildRecord.class.getPackage().getImplementationVersion();
    return new BuildProvenance(
        shown(root, recipe.source()),
        digestOf(recipe.source()),
        files,
        git.revision(),
        git.dirty(),
        git.source(),
        lockFile == null ? null : digestOf(lockFile),
        recipe.base().suite(),
        Provenance.withoutCredentials(mirror),
        releases,
        version == null ? "development" : version,
        Instant.ofEpochSecond(epoch));
  }

  /** The root of the git work tree holding {@code recipe} (where .git is), or null. */
  private static Path workTree(Path recipe) {
    for (Path dir = recipe.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(".git"))) {
        return dir;
      }
    }
    return null;
  }

  private static String shown(Path root, Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return root != null && absolute.startsWith(root)
        ? root.relativize(absolute).toString()
        : absolute.toString();
  }

  private static Digest digestOf(Path file) {
    try {
      return Digest.sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read " + file + " for the build record: " + e.getMessage(), e);
    }
  }
}
