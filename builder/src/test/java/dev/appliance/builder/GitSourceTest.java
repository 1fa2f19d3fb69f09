package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recipe named by a git URL: cloned with JGit from a real (file://) repository, parsed with the
 * real parser, its provenance taken from the clone. The build itself is the same as for a local
 * recipe (ImageBuilderTest).
 */
class GitSourceTest {
  @TempDir Path tmp;

  @Test
  void clonesParsesAndNamesTheCommit() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo/app/files"));
    Files.writeString(
        tmp.resolve("repo/base.yaml"),
        """
                name: gitbase
                version: "1"
                base:
                  suite: trixie
                packages:
                  - passwd
                """);
    Files.writeString(repo.resolve("motd"), "from git\n");
    Files.writeString(
        tmp.resolve("repo/app/gitapp.yaml"),
        """
                extends: ../base.yaml
                name: gitapp
                version: "2.0"
                packages:
                  - hello
                files:
                  - source: files/motd
                    dest: /etc/gitapp/motd
                """);
    String commit;
    try (Git git = Git.init().setDirectory(tmp.resolve("repo").toFile()).call()) {
      git.add().addFilepattern(".").call();
      commit =
          git.commit()
              .setMessage("recipes")
              .setAuthor("t", "t@example")
              .setCommitter("t", "t@example")
              .setSign(false)
              .call()
              .name();
    }
    ApplianceDirs dirs = new ApplianceDirs(tmp.resolve("data"), tmp.resolve("state"));
    String url = tmp.resolve("repo").toUri() + "#app/gitapp.yaml";
    try (RecipeSource source = RecipeSource.open(url, dirs)) {
      assertEquals("gitapp", source.recipe().name());
      assertEquals("gitbase", source.recipe().parent().name());
      assertEquals("from git\n", Files.readString(source.recipe().files().get(0).source()));
      Provenance provenance = Provenance.of(source.recipe().source(), source.gitUrl());
      assertEquals(commit, provenance.revision());
      assertFalse(provenance.dirty());
      assertEquals(tmp.resolve("repo").toUri().toString(), provenance.source());
    }
    try (DirectoryStream<Path> clones =
        Files.newDirectoryStream(dirs.data().resolve("cache/git"))) {
      assertFalse(clones.iterator().hasNext(), "the clone is deleted after the build");
    }
    assertTrue(GitSource.isGitReference(url));
  }
}
