package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import dev.appliance.recipe.RecipeParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The recipe a command names: a local file, or {@code URL#path} in a git repository, cloned for the
 * duration of the build and deleted on close.
 */
public final class RecipeSource implements AutoCloseable {
  private final Recipe recipe;
  private final String gitUrl;
  private final Path clone;

  private RecipeSource(Recipe recipe, String gitUrl, Path clone) {
    this.recipe = recipe;
    this.gitUrl = gitUrl;
    this.clone = clone;
  }

  public static RecipeSource open(String argument, ApplianceDirs dirs) {
    if (GitSource.isGitReference(argument)) {
      GitSource git = GitSource.parse(argument);
      Path clone = dirs.data().resolve("cache/git").resolve(UUID.randomUUID().toString());
      try {
        Path file = git.fetch(clone);
        return new RecipeSource(new RecipeParser().parse(file), git.url(), clone);
      } catch (RuntimeException e) {
        Workspace.delete(clone);
        throw e;
      }
    }
    Path file = Path.of(argument).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(argument + ": no such recipe file");
    }
    return new RecipeSource(new RecipeParser().parse(file), null, null);
  }

  public Recipe recipe() {
    return recipe;
  }

  /** The repository URL for a git recipe; null for a local file. */
  public String gitUrl() {
    return gitUrl;
  }

  @Override
  public void close() {
    if (clone != null) {
      Workspace.delete(clone);
    }
  }
}
