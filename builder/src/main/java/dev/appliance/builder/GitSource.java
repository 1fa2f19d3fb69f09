package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * A recipe in a git repository: {@code URL#path/to/recipe.yaml}, optionally {@code URL#path@REF}
 * for a branch or tag. Cloned with JGit into a directory the caller deletes after the build.
 *
 * @param url the repository URL (https://, ssh://, git@host:, file://)
 * @param path the recipe's path inside the repository
 * @param ref a branch or tag; null for the default branch
 */
public record GitSource(String url, String path, String ref) {
  private static final Pattern GIT_URL =
      Pattern.compile("^(https?://|ssh://|git://|file://|git@[^:]+:).+");

  /** Whether {@code argument} names a recipe in a git repository rather than a local file. */
  public static boolean isGitReference(String argument) {
    return argument.contains("#") && GIT_URL.matcher(argument).matches();
  }

  public static GitSource parse(String argument) {
    int hash = argument.lastIndexOf('#');
    if (hash < 0 || hash == argument.length() - 1) {
      throw new InvalidInputException(
          "'" + argument + "': a git recipe is URL#path/to/recipe.yaml");
    }
    String path = argument.substring(hash + 1);
    String ref = null;
    int at = path.lastIndexOf('@');
    if (at > 0) {
      ref = path.substring(at + 1);
      path = path.substring(0, at);
    }
    if (path.startsWith("/") || Path.of(path).normalize().startsWith("..")) {
      throw new InvalidInputException(
          "'" + argument + "': the recipe path must be relative to the repository");
    }
    return new GitSource(argument.substring(0, hash), path, ref);
  }

  /**
   * Clones the repository into {@code dir} (which must not exist) and returns the recipe file in
   * it.
   */
  public Path fetch(Path dir) {
    try (Git git =
        Git.cloneRepository()
            .setURI(url)
            .setDirectory(dir.toFile())
            .setBranch(ref)
            .setCloneAllBranches(false)
            .call()) {
      Path recipe = dir.resolve(path).normalize();
      if (!recipe.startsWith(dir) || !Files.isRegularFile(recipe)) {
        throw new InvalidInputException(
            url + ": the repository has no recipe " + path + (ref == null ? "" : " at " + ref));
      }
      return recipe;
    } catch (GitAPIException e) {
      throw new ApplianceException(
          "cannot clone " + Provenance.withoutCredentials(url) + ": " + e.getMessage(), e);
    }
  }
}
