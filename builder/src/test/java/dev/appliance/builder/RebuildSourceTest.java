package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code verify --rebuild} takes a recipe and its lock file from: a commit of a real git
 * repository (JGit) and a directory. No build runs here.
 */
class RebuildSourceTest {
  @TempDir Path tmp;

  private Path repo;

  /** A repository with two commits; the work tree then changes again without a commit. */
  private String[] twoCommitsAndADirtyWorkTree() throws Exception {
    repo = tmp.resolve("repo");
    write("recipes/base/base.yaml", "name: base v1\n");
    write("recipes/app/app.yaml", "extends: ../base/base.yaml\nversion: v1\n");
    write("recipes/app/app.yaml.lock", "lock v1\n");
    write("recipes/app/files/start.sh", "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        repo.resolve("recipes/app/files/start.sh"),
        java.util.Set.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE));
    try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
      String first = commit(git, "v1");
      write("recipes/app/app.yaml", "extends: ../base/base.yaml\nversion: v2\n");
      write("recipes/app/app.yaml.lock", "lock v2\n");
      String second = commit(git, "v2");
      write("recipes/app/app.yaml.lock", "uncommitted\n");
      return new String[] {first, second};
    }
  }

  @Test
  void aCommitIsCheckedOutWithItsOwnRecipeLockAndBaseNotTheWorkTrees() throws Exception {
    String[] commits = twoCommitsAndADirtyWorkTree();
    Path scratch = tmp.resolve("scratch");
    Path checkout;
    try (GitCommitRebuildSource source =
        GitCommitRebuildSource.checkout(
            repo.resolve("recipes/app/app.yaml"), commits[0], scratch)) {
      Path recipe = source.recipe();
      checkout = recipe.getParent().getParent().getParent();
      assertTrue(recipe.startsWith(scratch), recipe.toString());
      assertEquals(Path.of("recipes/app/app.yaml"), checkout.relativize(recipe));
      assertEquals("extends: ../base/base.yaml\nversion: v1\n", Files.readString(recipe));
      assertEquals("lock v1\n", Files.readString(LockFile.pathFor(recipe)));
      assertEquals("name: base v1\n", Files.readString(recipe.resolveSibling("../base/base.yaml")));
      assertTrue(Files.isExecutable(recipe.resolveSibling("files/start.sh")), "exec bit kept");
      assertFalse(Files.isExecutable(recipe), "a regular file is not made executable: " + recipe);
      assertTrue(source.describe().contains("commit " + commits[0]), source.describe());
      assertTrue(source.describe().contains("recipes/app/app.yaml"), source.describe());
    }
    assertFalse(Files.exists(checkout), "closing removes the checkout");
    try (GitCommitRebuildSource source =
        GitCommitRebuildSource.checkout(
            repo.resolve("recipes/app/app.yaml"), commits[1], scratch)) {
      assertEquals("lock v2\n", Files.readString(LockFile.pathFor(source.recipe())));
    }
  }

  @Test
  void aCommitIdFromTheImageMustBeAFullHexIdOfThisRepository() throws Exception {
    twoCommitsAndADirtyWorkTree();
    Path recipe = repo.resolve("recipes/app/app.yaml");
    Path scratch = tmp.resolve("scratch");
    InvalidInputException hostile =
        assertThrows(
            InvalidInputException.class,
            () -> GitCommitRebuildSource.checkout(recipe, "HEAD\u001b[2J; rm -rf /", scratch));
    assertTrue(hostile.getMessage().contains("not a full commit id"), hostile.getMessage());
    assertFalse(hostile.getMessage().contains("\u001b"), "control characters escaped");

    String absent = "0123456789abcdef0123456789abcdef01234567";
    InvalidInputException missing =
        assertThrows(
            InvalidInputException.class,
            () -> GitCommitRebuildSource.checkout(recipe, absent, scratch));
    assertTrue(
        missing.getMessage().contains("commit " + absent + " is not in the repository"),
        missing.getMessage());
    assertFalse(Files.exists(scratch) && Files.list(scratch).findAny().isPresent(), "no checkout");
  }

  @Test
  void aRecipeTheCommitDoesNotHoldOrOutsideGitIsRefused() throws Exception {
    String[] commits = twoCommitsAndADirtyWorkTree();
    write("recipes/new/new.yaml", "name: new\n");
    InvalidInputException notCommitted =
        assertThrows(
            InvalidInputException.class,
            () ->
                GitCommitRebuildSource.checkout(
                    repo.resolve("recipes/new/new.yaml"), commits[1], tmp.resolve("s")));
    assertEquals("recipes/new/new.yaml is not in commit " + commits[1], notCommitted.getMessage());

    Path outside = Files.createDirectories(tmp.resolve("plain")).resolve("app.yaml");
    Files.writeString(outside, "name: x\n");
    InvalidInputException noGit =
        assertThrows(
            InvalidInputException.class,
            () -> GitCommitRebuildSource.checkout(outside, commits[1], tmp.resolve("s")));
    assertTrue(noGit.getMessage().contains("not in a git work tree"), noGit.getMessage());
    assertEquals(java.util.Optional.of(BuildRemedy.REBUILD_FROM_DIRECTORY), noGit.remedy());
  }

  @Test
  void aDirectoryGivesItsOneRecipeWithALockFile() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("lamp"));
    Files.writeString(dir.resolve("lamp.yaml"), "name: lamp\n");
    Files.writeString(dir.resolve("notes.yaml"), "not a recipe with a lock\n");
    InvalidInputException none =
        assertThrows(InvalidInputException.class, () -> DirectoryRebuildSource.of(dir));
    assertTrue(none.getMessage().contains("no recipe with a lock file"), none.getMessage());

    Files.writeString(dir.resolve("lamp.yaml.lock"), "packages: []\n");
    try (DirectoryRebuildSource source = DirectoryRebuildSource.of(dir)) {
      assertEquals(dir.resolve("lamp.yaml").toAbsolutePath(), source.recipe());
    }

    Files.writeString(dir.resolve("notes.yaml.lock"), "packages: []\n");
    InvalidInputException several =
        assertThrows(InvalidInputException.class, () -> DirectoryRebuildSource.of(dir));
    assertTrue(
        several.getMessage().contains("several recipes with lock files (lamp.yaml, notes.yaml)"),
        several.getMessage());
  }

  @Test
  void provenanceIsReadBackFromTheAnnotationsItWrote() {
    Provenance built = new Provenance("a".repeat(40), true, "https://git.example/app.git");
    assertEquals(built, Provenance.fromAnnotations(built.annotations()));
    assertEquals(Provenance.none(), Provenance.fromAnnotations(Map.of()));
  }

  private void write(String path, String content) throws Exception {
    Path file = repo.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static String commit(Git git, String message) throws Exception {
    git.add().addFilepattern(".").call();
    return git.commit()
        .setMessage(message)
        .setAuthor("t", "t@example")
        .setCommitter("t", "t@example")
        .setSign(false)
        .call()
        .name();
  }
}
