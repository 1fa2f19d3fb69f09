package dev.appliance.builder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Where a recipe came from, as standard OCI annotations: the commit of the recipe's git repository,
 * whether the work tree had uncommitted changes, and its remote (credentials removed). Empty when
 * the recipe is not in a repository.
 */
record Provenance(String revision, boolean dirty, String source) {
  static final String REVISION = "org.opencontainers.image.revision";
  static final String SOURCE = "org.opencontainers.image.source";
  static final String DIRTY = "dev.appliance.git-dirty";

  static Provenance none() {
    return new Provenance(null, false, null);
  }

  /**
   * Looks for the repository containing {@code recipe}; {@code sourceOverride} replaces the remote
   * (a git URL build).
   */
  static Provenance of(Path recipe, String sourceOverride) {
    FileRepositoryBuilder builder =
        new FileRepositoryBuilder()
            .readEnvironment()
            .findGitDir(recipe.toAbsolutePath().getParent().toFile());
    if (builder.getGitDir() == null) {
      return sourceOverride == null
          ? none()
          : new Provenance(null, false, withoutCredentials(sourceOverride));
    }
    try (Repository repo = builder.build();
        Git git = new Git(repo)) {
      ObjectId head = repo.resolve("HEAD");
      boolean dirty = head == null || !git.status().call().isClean();
      String remote =
          sourceOverride != null
              ? sourceOverride
              : repo.getConfig().getString("remote", "origin", "url");
      return new Provenance(
          head == null ? null : head.name(),
          dirty,
          remote == null ? null : withoutCredentials(remote));
    } catch (IOException | GitAPIException | RuntimeException e) {
      return none();
    }
  }

  /** The provenance an image's manifest annotations record (see {@link #annotations()}). */
  static Provenance fromAnnotations(Map<String, String> annotations) {
    return new Provenance(
        annotations.get(REVISION),
        Boolean.parseBoolean(annotations.get(DIRTY)),
        annotations.get(SOURCE));
  }

  static String withoutCredentials(String url) {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
  }

  Map<String, String> annotations() {
    Map<String, String> a = new TreeMap<>();
    if (revision != null) {
      a.put(REVISION, revision);
      a.put(DIRTY, Boolean.toString(dirty));
    }
    if (source != null) {
      a.put(SOURCE, source);
    }
    return a;
  }
}
