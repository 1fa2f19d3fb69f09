package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.BuildProvenance;
import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build record push attests as SLSA provenance and a rebuild reads: the recipe chain's files
 * with their digests (by path inside the git work tree), the commit, the lock file, the suites'
 * Release dates; kept with the image in the store and read back equal.
 */
class BuildRecordTest {
  @TempDir Path tmp;

  @Test
  void recordsTheRecipeChainItsCommitAndTheLockFileAndSurvivesTheStore() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path dir = Files.createDirectories(repo.resolve("recipes/tiny"));
    Files.writeString(dir.resolve("base.yaml"), "name: testbase\n");
    Files.writeString(dir.resolve("tiny.yaml"), "name: tiny\n");
    Recipe recipe = TestRecipes.tiny(dir);
    Path lock = Files.writeString(dir.resolve("tiny.yaml.lock"), "packages: []\n");
    String commit;
    try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
      git.add().addFilepattern(".").call();
      commit =
          git.commit()
              .setMessage("m")
              .setAuthor("t", "t@example")
              .setCommitter("t", "t@example")
              .setSign(false)
              .call()
              .name();
    }
    Instant release = Instant.parse("2026-11-20T08:00:00Z");

    BuildProvenance record =
        BuildRecord.of(
            recipe,
            Provenance.of(recipe.source(), null),
            lock,
            "http://user:secret@mirror.invalid/debian",
            Map.of("trixie", release),
            release.getEpochSecond());

    assertEquals("recipes/tiny/tiny.yaml", record.recipePath());
    assertEquals(sha256(dir.resolve("tiny.yaml")), record.recipeDigest());
    assertEquals(
        Set.of("recipes/tiny/tiny.yaml", "recipes/tiny/base.yaml", "recipes/tiny/motd"),
        record.recipeFiles().keySet());
    assertEquals(sha256(dir.resolve("motd")), record.recipeFiles().get("recipes/tiny/motd"));
    assertEquals(commit, record.gitCommit());
    assertEquals(sha256(lock), record.lockFileDigest());
    assertEquals("trixie", record.baseSuite());
    assertEquals("http://mirror.invalid/debian", record.mirror(), "credentials removed");
    assertEquals(Map.of("trixie", release), record.suiteReleases());

    ImageStore store = ImageStore.open(tmp.resolve("store"));
    Digest image = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    new ImageAttachments(store).putProvenance(image, record);
    assertEquals(record, new ImageAttachments(store).provenance(image).orElseThrow());
    assertTrue(
        new ImageAttachments(store)
            .provenance(Digest.sha256("other".getBytes(StandardCharsets.UTF_8)))
            .isEmpty());
  }

  @Test
  void outsideGitTheRecipeIsNamedByItsAbsolutePathAndNoCommitIsClaimed() throws Exception {
    Path dir = Files.createDirectories(Path.of("/var/tmp").resolve("no-repo-" + System.nanoTime()));
    try {
      Files.writeString(dir.resolve("base.yaml"), "name: testbase\n");
      Files.writeString(dir.resolve("tiny.yaml"), "name: tiny\n");
      Recipe recipe = TestRecipes.tiny(dir);
      BuildProvenance record =
          BuildRecord.of(
              recipe,
              Provenance.of(recipe.source(), null),
              null,
              "http://mirror.invalid/debian",
              Map.of("trixie", Instant.EPOCH),
              0);
      assertEquals(dir.resolve("tiny.yaml").toString(), record.recipePath());
      assertNull(record.gitCommit());
      assertNull(record.lockFileDigest());
    } finally {
      for (String f : new String[] {"base.yaml", "tiny.yaml", "motd"}) {
        Files.deleteIfExists(dir.resolve(f));
      }
      Files.deleteIfExists(dir);
    }
  }

  private static Digest sha256(Path file) throws Exception {
    return Digest.sha256(Files.readAllBytes(file));
  }
}
