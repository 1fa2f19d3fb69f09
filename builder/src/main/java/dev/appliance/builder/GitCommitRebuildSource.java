package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.MetadataRules;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A rebuild from one commit of the git repository holding a recipe: the commit's tree is written
 * into a scratch directory with JGit (the work tree's uncommitted state plays no part), and the
 * recipe is taken from there at the same relative path, with the lock file committed beside it.
 */
public final class GitCommitRebuildSource implements RebuildSource {
  private final Path checkout;
  private final Path recipe;
  private final String description;

  private GitCommitRebuildSource(Path checkout, Path recipe, String description) {
    this.checkout = checkout;
    this.recipe = recipe;
    this.description = description;
  }

  /**
   * Writes {@code commit}'s tree of the repository containing {@code recipe} under {@code scratch}
   * (a new directory).
   *
   * @param recipe the recipe in a work tree; its path relative to the work tree names the recipe in
   *     the commit
   * @param commit a full commit id; it comes from an image, so anything else is refused
   */
  public static GitCommitRebuildSource checkout(Path recipe, String commit, Path scratch) {
    if (commit == null || !commit.matches("[0-9a-f]{40}")) {
      throw new InvalidInputException(
          "the image's git commit is not a full commit id: " + MetadataRules.quote(commit));
    }
    Path file = recipe.toAbsolutePath().normalize();
    FileRepositoryBuilder found =
        new FileRepositoryBuilder().readEnvironment().findGitDir(file.getParent().toFile());
    if (found.getGitDir() == null) {
      throw new InvalidInputException(
          recipe + ": not in a git work tree", BuildRemedy.REBUILD_FROM_DIRECTORY);
    }
    try (Repository repo = found.build();
        RevWalk walk = new RevWalk(repo)) {
      Path workTree = repo.getWorkTree().toPath().toRealPath();
      Path real = file.getParent().toRealPath().resolve(file.getFileName());
      String relative = workTree.relativize(real).toString();
      RevCommit revision;
      try {
        revision = walk.parseCommit(ObjectId.fromString(commit));
      } catch (MissingObjectException e) {
        throw new InvalidInputException(
            "commit " + commit + " is not in the repository at " + workTree + ": fetch it first");
      }
      if (TreeWalk.forPath(repo, relative, revision.getTree()) == null) {
        throw new InvalidInputException(relative + " is not in commit " + commit);
      }
      Path target = scratch.resolve(UUID.randomUUID().toString());
      Files.createDirectories(target);
      try {
        writeTree(repo, revision, target);
      } catch (IOException | RuntimeException e) {
        Workspace.delete(target);
        throw e;
      }
      return new GitCommitRebuildSource(
          target,
          target.resolve(relative),
          "commit " + commit + " of " + workTree + " (" + relative + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read commit " + commit + " of " + recipe, e);
    }
  }

  /** Regular files with git's two modes and symbolic links; submodules are left out. */
  private static void writeTree(Repository repo, RevCommit commit, Path target) throws IOException {
    try (TreeWalk tree = new TreeWalk(repo)) {
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        Path path = target.resolve(tree.getPathString()).normalize();
        if (!path.startsWith(target) || path.equals(target)) {
          throw new ApplianceException(
              "commit "
                  + commit.name()
                  + " names a path outside its tree: "
                  + MetadataRules.quote(tree.getPathString()));
        }
        FileMode mode = tree.getFileMode(0);
        Files.createDirectories(path.getParent());
        if (mode == FileMode.SYMLINK) {
          byte[] link = repo.open(tree.getObjectId(0)).getBytes();
          Files.createSymbolicLink(path, Path.of(new String(link, StandardCharsets.UTF_8)));
        } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
          try (OutputStream out = Files.newOutputStream(path)) {
            repo.open(tree.getObjectId(0)).copyTo(out);
          }
          Files.setPosixFilePermissions(
              path,
              PosixFilePermissions.fromString(
                  mode == FileMode.EXECUTABLE_FILE ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
  }

  @Override
  public Path recipe() {
    return recipe;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    Workspace.delete(checkout);
  }
}
